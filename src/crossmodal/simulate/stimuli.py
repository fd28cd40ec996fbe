"""Synthetic stimuli: stories (timed words), movie frames, image-caption pairs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crossmodal.simulate.lexicon import Lexicon


@dataclass(frozen=True)
class SyntheticStory:
    """A story as a timed word sequence (sound onset at t = 0).

    Attributes
    ----------
    tokens : list of str, length n_tokens
        Words and filler tokens in order, as written to the TextGrid.
    onsets, offsets : arrays of shape (n_tokens,), float, seconds
    concepts : array of shape (n_tokens,), int
        Concept index of each token, -1 for function words and fillers.
    is_filler : array of shape (n_tokens,), bool
    """

    tokens: list[str]
    onsets: np.ndarray
    offsets: np.ndarray
    concepts: np.ndarray
    is_filler: np.ndarray


def make_story(lexicon: Lexicon, duration: float, concept_word_prob: float, rng: np.random.Generator,
               n_topics: int | None = None) -> SyntheticStory:
    """Draw a story of ``duration`` seconds from the lexicon.

    The story is a sequence of topic segments (8 to 24 words about one
    concept); within a segment each word is a concept word with probability
    ``concept_word_prob`` and a function word otherwise. Word durations are
    0.2-0.5 s; pauses (``sp``) and other fillers are interspersed.

    Parameters
    ----------
    lexicon : Lexicon
    duration : float
        Seconds from sound onset to the end of the last word.
    concept_word_prob : float
    rng : numpy Generator
    n_topics : int or None
        Topics are drawn from the first ``n_topics`` concepts (None: all).

    Returns
    -------
    SyntheticStory
    """
    tokens, onsets, offsets, concepts, fillers = [], [], [], [], []
    time = 0.3
    while True:
        concept = int(rng.integers(lexicon.n_concepts if n_topics is None else n_topics))
        for _ in range(int(rng.integers(8, 25))):
            if rng.random() < 0.08:
                token, token_concept, filler, length = str(rng.choice(lexicon.filler_tokens)), -1, True, rng.uniform(0.15, 0.6)
            elif rng.random() < concept_word_prob:
                token, token_concept, filler = str(rng.choice(lexicon.words[concept])), concept, False
                length = rng.uniform(0.25, 0.5)
            else:
                token, token_concept, filler = str(rng.choice(lexicon.function_words)), -1, False
                length = rng.uniform(0.2, 0.35)
            if time + length > duration:
                return SyntheticStory(
                    tokens, np.array(onsets), np.array(offsets), np.array(concepts, dtype=int), np.array(fillers)
                )
            if not filler and rng.random() < 0.1:
                token = token.upper()
            tokens.append(token)
            onsets.append(time)
            offsets.append(time + length)
            concepts.append(token_concept)
            fillers.append(filler)
            time += length


def write_story_textgrid(story: SyntheticStory, path: Path, duration: float, form: str, overlapping_phones: bool) -> None:
    """Write a story as a Praat TextGrid: tier 1 phones, tier 2 words.

    Parameters
    ----------
    story : SyntheticStory
    path : Path
    duration : float
        End time of the TextGrid (s).
    form : {"long_textgrid", "short_textgrid"}
        Praat's long or short text format.
    overlapping_phones : bool
        If True, make some phone intervals overlap their successor, as in the
        phone tier of ds003020's ``wheretheressmoke``.
    """
    from praatio import textgrid
    from praatio.data_classes.interval_tier import IntervalTier

    word_entries = [(float(a), float(b), t) for a, b, t in zip(story.onsets, story.offsets, story.tokens)]
    phone_entries = []
    for start, end, token in word_entries:
        letters = re.sub(r"[^A-Za-z]", "", token)[:6] or "SIL"
        n_phones = max(1, len(letters) // 2)
        bounds = np.linspace(start, end, n_phones + 1)
        phone_entries += [(float(bounds[i]), float(bounds[i + 1]), letters[2 * i : 2 * i + 2].upper() or "SIL") for i in range(n_phones)]
    grid = textgrid.Textgrid()
    grid.addTier(IntervalTier("phone", phone_entries, 0.0, duration))
    grid.addTier(IntervalTier("word", word_entries, 0.0, duration))
    grid.save(str(path), format=form, includeBlankSpaces=True)
    if overlapping_phones:
        _make_phones_overlap(path, n_overlaps=5)


def _make_phones_overlap(path: Path, n_overlaps: int) -> None:
    """Stretch the ``xmax`` of a few phone intervals past their successor's start.

    Works on the long text format: every 10th phone interval (up to
    ``n_overlaps``) ends 50 ms after the next one starts.
    """
    lines = path.read_text().splitlines()
    word_tier_start = next(i for i, line in enumerate(lines) if "item [2]" in line)
    interval_starts = [i for i in range(word_tier_start) if re.match(r"\s*intervals \[\d+\]:", lines[i])]
    for i in interval_starts[2::10][:n_overlaps]:
        key, value = lines[i + 2].split("=")
        lines[i + 2] = f"{key}= {float(value) + 0.05:.4f}"
    path.write_text("\n".join(lines) + "\n")


@dataclass(frozen=True)
class Shot:
    """One movie shot: a concept's look held for a few seconds."""

    concept: int
    first_frame: int
    n_frames: int
    brightness: float
    phase_speed: float
    offset: tuple[float, float]


def make_shots(n_frames: int, fps: float, n_concepts: int, rng: np.random.Generator) -> list[Shot]:
    """Cut ``n_frames`` into shots of 2-6 s, each of a random concept."""
    shots, first = [], 0
    while first < n_frames:
        length = min(int(rng.uniform(2.0, 6.0) * fps), n_frames - first)
        shots.append(
            Shot(
                concept=int(rng.integers(n_concepts)),
                first_frame=first,
                n_frames=length,
                brightness=float(rng.uniform(0.55, 1.45)),
                phase_speed=float(rng.uniform(-2.0, 2.0)),
                offset=(float(rng.uniform(-0.2, 0.2)), float(rng.uniform(-0.2, 0.2))),
            )
        )
        first += length
    return shots


def render_look(lexicon: Lexicon, concept: int, size: int, brightness: float, phases: np.ndarray, offset: tuple[float, float], rng: np.random.Generator) -> np.ndarray:
    """Render frames of a concept's look: a coloured grating with a bright blob.

    Parameters
    ----------
    lexicon : Lexicon
    concept : int
    size : int
        Frames are ``size x size`` pixels.
    brightness : float
        Multiplies the whole image (the low-level content vision-only voxels see).
    phases : array of shape (n_frames,)
        Grating phase of each frame (radians); drifting phases make motion.
    offset : (float, float)
        Position of the blob (fraction of the image from the centre).
    rng : numpy Generator
        For pixel noise.

    Returns
    -------
    frames : array of shape (n_frames, size, size, 3), uint8
    """
    coords = ((np.arange(size) + 0.5) / size - 0.5).astype(np.float32)
    yy, xx = np.meshgrid(coords, coords, indexing="ij")
    angle, freq = lexicon.orientations[concept], lexicon.frequencies[concept]
    along = np.cos(angle) * xx + np.sin(angle) * yy
    grating = np.sin(np.float32(2 * np.pi * freq) * along[None] + phases[:, None, None].astype(np.float32))
    blob = np.exp(-((xx - offset[0]) ** 2 + (yy - offset[1]) ** 2) / 0.02).astype(np.float32)
    colour = lexicon.colours[concept].astype(np.float32)
    grating *= np.float32(0.25)
    grating += np.float32(0.75)
    image = colour * grating[..., None]
    image += np.float32(0.3) * blob[None, :, :, None]
    image *= np.float32(brightness * 200.0)
    noise = rng.standard_normal(size=image.shape, dtype=np.float32)
    noise *= np.float32(6.0)
    image += noise
    return np.clip(image, 0, 255, out=image).astype(np.uint8)


def render_movie(lexicon: Lexicon, shots: list[Shot], fps: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """Render all frames of a movie run.

    Returns
    -------
    frames : array of shape (n_frames, size, size, 3), uint8
    """
    parts = []
    for shot in shots:
        phases = shot.phase_speed * np.arange(shot.n_frames) / fps * 2 * np.pi + rng.uniform(0, 2 * np.pi)
        parts.append(render_look(lexicon, shot.concept, size, shot.brightness, phases, shot.offset, rng))
    return np.concatenate(parts)


def lowlevel_frame_features(frames: np.ndarray) -> np.ndarray:
    """Low-level visual content of frames: quadrant luminances and contrast.

    Parameters
    ----------
    frames : array of shape (n_frames, H, W, 3), uint8

    Returns
    -------
    features : array of shape (n_frames, 5), float
        Mean luminance of the four image quadrants (0..1) and the RMS contrast.
    """
    features = np.empty((len(frames), 5), dtype=np.float32)
    for start in range(0, len(frames), _FRAME_CHUNK):
        features[start : start + _FRAME_CHUNK] = _lowlevel_chunk(frames[start : start + _FRAME_CHUNK])
    return features


#: Frames per chunk of :func:`lowlevel_frame_features` (bounded temporaries: 4 MB of float32 per channel at 64 x 64).
_FRAME_CHUNK = 256


def _lowlevel_chunk(frames: np.ndarray) -> np.ndarray:
    """:func:`lowlevel_frame_features` of one chunk of frames, (n, 5) float32.

    The channel mean is written out as numpy's ``mean(axis=3)`` computes it (three float32 additions in order, then
    the division by the count as an ``intp``), so the values are bit-identical and the slow reduction over a last
    axis of length 3 is avoided (tests/test_simulate.py compares both).
    """
    pixels = frames.astype(np.float32)
    luminance = pixels[..., 0] + pixels[..., 1]
    luminance += pixels[..., 2]
    np.true_divide(luminance, np.intp(3), out=luminance, casting="unsafe")
    luminance /= 255.0
    half_h, half_w = luminance.shape[1] // 2, luminance.shape[2] // 2
    quadrants = [
        luminance[:, :half_h, :half_w], luminance[:, :half_h, half_w:],
        luminance[:, half_h:, :half_w], luminance[:, half_h:, half_w:],
    ]
    means = [q.mean(axis=(1, 2)) for q in quadrants]
    contrast = luminance.std(axis=(1, 2))
    return np.stack(means + [contrast], axis=1)


def make_caption(lexicon: Lexicon, concept: int, concept_word_prob: float, rng: np.random.Generator) -> list[str]:
    """A caption of 6-10 words about ``concept``, as lower-case tokens."""
    words = lexicon.words[concept]
    tokens = ["a", words[rng.integers(len(words))]]
    for _ in range(int(rng.integers(4, 9))):
        pool = words if rng.random() < concept_word_prob else lexicon.function_words
        tokens.append(pool[rng.integers(len(pool))])
    return tokens
