"""The concept lexicon and visual looks of the synthetic world.

Each concept has its own words (used in stories and captions) and its own
visual look (background colour, grating orientation and spatial frequency,
used in movie frames and pair images). Function words carry no concept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from crossmodal.errors import InputError

#: The lexicon file shipped with the repository (config key ``simulate.lexicon``).
DEFAULT_LEXICON = Path(__file__).resolve().parents[3] / "resources" / "synthetic_lexicon.yaml"


def read_lexicon_file(path: str | Path = DEFAULT_LEXICON) -> dict:
    """The lexicon file: ``concepts`` (name -> words), ``function_words``, ``filler_tokens``.

    Raises
    ------
    InputError
        Missing file, or a field missing or of the wrong kind.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "lexicon file not found", "point simulate.lexicon at a YAML file like resources/synthetic_lexicon.yaml")
    content = yaml.safe_load(path.read_text()) or {}
    concepts = content.get("concepts")
    if not isinstance(concepts, dict) or not concepts or not all(isinstance(w, list) and w for w in concepts.values()):
        raise InputError(path, "needs 'concepts': a mapping of concept names to non-empty lists of words", "see resources/synthetic_lexicon.yaml")
    for key in ("function_words", "filler_tokens"):
        if not isinstance(content.get(key), list) or not content[key]:
            raise InputError(path, f"needs '{key}': a non-empty list", "see resources/synthetic_lexicon.yaml")
    return {"concepts": {str(k): tuple(str(w) for w in v) for k, v in concepts.items()},
            "function_words": tuple(str(w) for w in content["function_words"]),
            "filler_tokens": tuple(str(w) for w in content["filler_tokens"])}


@dataclass(frozen=True)
class Lexicon:
    """The concepts of one synthetic world.

    Attributes
    ----------
    names : tuple of str, length n_concepts
    words : tuple of tuple of str
        ``words[k]`` are the words of concept k.
    colours : array of shape (n_concepts, 3), float
        Background colour (0..1 RGB) of each concept's look.
    orientations : array of shape (n_concepts,), float
        Grating orientation (radians) of each concept's look.
    frequencies : array of shape (n_concepts,), float
        Grating spatial frequency (cycles per image) of each concept's look.
    function_words : tuple of str
        Words without a concept.
    filler_tokens : tuple of str
        Non-word tokens of the TextGrids (pauses, breaths, ...).
    """

    names: tuple[str, ...]
    words: tuple[tuple[str, ...], ...]
    colours: np.ndarray
    orientations: np.ndarray
    frequencies: np.ndarray
    function_words: tuple[str, ...]
    filler_tokens: tuple[str, ...]

    @property
    def n_concepts(self) -> int:
        return len(self.names)

    def concept_of_word(self) -> dict[str, int]:
        """Map every concept word to its concept index."""
        return {word: k for k, words in enumerate(self.words) for word in words}


def make_lexicon(n_concepts: int, seed: int, words_per_concept: int = 8, path: str | Path = DEFAULT_LEXICON) -> Lexicon:
    """Pick the first ``n_concepts`` concepts of the lexicon file and give each a distinct visual look.

    Parameters
    ----------
    n_concepts : int
        At most the number of concepts in the file.
    seed : int
    words_per_concept : int
        The first ``words_per_concept`` words of each concept are used.
    path : path
        The lexicon file (``simulate.lexicon``).

    Returns
    -------
    Lexicon
    """
    content = read_lexicon_file(path)
    concepts = content["concepts"]
    if not 1 <= n_concepts <= len(concepts):
        raise InputError(path, f"has {len(concepts)} concepts, simulate.n_concepts asks for {n_concepts}", "lower simulate.n_concepts or add concepts")
    rng = np.random.default_rng(seed)
    names = tuple(list(concepts)[:n_concepts])
    hues = (np.arange(n_concepts) + rng.uniform(0, 0.3)) / n_concepts
    colours = np.stack([_hue_to_rgb(h) for h in hues]) * 0.7 + 0.15
    orientations = rng.permutation(n_concepts) * np.pi / n_concepts
    frequencies = 2.0 + 6.0 * rng.permutation(n_concepts) / max(n_concepts - 1, 1)
    return Lexicon(names, tuple(concepts[n][:words_per_concept] for n in names), colours, orientations, frequencies,
                   content["function_words"], content["filler_tokens"])


def _hue_to_rgb(hue: float) -> np.ndarray:
    """Fully saturated colour of a hue in [0, 1), as RGB in [0, 1]."""
    offsets = np.array([0.0, 2.0 / 3.0, 1.0 / 3.0])
    return np.clip(np.abs(((hue + offsets) % 1.0) * 6.0 - 3.0) - 1.0, 0.0, 1.0)
