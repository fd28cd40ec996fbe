"""Word tiers of Praat TextGrids, read tolerantly.

Parsing uses praatio's text parser (long and short formats) without praatio's
tier validation, so a phone tier with overlapping intervals (as in
ds003020's ``wheretheressmoke``) never stops the word tier from being read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from crossmodal.data.annex import require_content
from crossmodal.data.types import WordEvents
from crossmodal.errors import InputError

#: Tokens that are not words (case-insensitive, braces stripped).
FILLER_TOKENS = frozenset({"sp", "br", "lg", "ls", "ns", "sentence_start", "sentence_end", ""})

WORD_TIER_INDEX = 1


def is_filler(token: str) -> bool:
    """True for pause, breath, laugh, noise and sentence markers."""
    return token.strip().strip("{}").strip().lower() in FILLER_TOKENS


def read_word_events(path: str | Path, tier_index: int = WORD_TIER_INDEX) -> WordEvents:
    """Read the word tier of a TextGrid, dropping filler tokens.

    Parameters
    ----------
    path : str or Path
        A Praat TextGrid in the long or short text format.
    tier_index : int
        Position of the word tier (ds003020: the second tier, index 1).

    Returns
    -------
    WordEvents
        Words (stripped, original case) with onsets and offsets in seconds.

    Raises
    ------
    InputError
        If the file is missing, cannot be parsed, or has no interval tier at
        ``tier_index``.
    """
    from praatio.utilities.textgrid_io import parseTextgridStr

    path = Path(path)
    require_content(path)
    if not path.is_file():
        raise InputError(path, "TextGrid not found", "check data.stories.root and that every story has a TextGrid")
    text = _read_text(path)
    try:
        tiers = parseTextgridStr(text, includeEmptyIntervals=False)["tiers"]
    except Exception as error:  # praatio raises several types on malformed files
        raise InputError(path, f"cannot be parsed as a TextGrid ({type(error).__name__})", "re-export it from Praat in text format") from None
    if len(tiers) <= tier_index or tiers[tier_index].get("class") != "IntervalTier":
        names = [t.get("name") for t in tiers]
        raise InputError(
            path, f"has no word tier at position {tier_index + 1} (tiers: {names})",
            "the word tier must be the second tier, as in ds003020",
        )
    words, onsets, offsets = [], [], []
    for entry in tiers[tier_index]["entries"]:
        label = entry.label.strip()
        if is_filler(label):
            continue
        words.append(label)
        onsets.append(float(entry.start))
        offsets.append(float(entry.end))
    return WordEvents(np.array(words, dtype=str), np.array(onsets, dtype=float), np.array(offsets, dtype=float), path)


def _read_text(path: Path) -> str:
    """Read a TextGrid whatever its encoding (Praat writes UTF-8 or UTF-16)."""
    raw = path.read_bytes()
    for encoding in ("utf-8", "utf-16"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")
