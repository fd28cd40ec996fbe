"""The concept lexicon and visual looks of the synthetic world.

Each concept has its own words (used in stories and captions) and its own
visual look (background colour, grating orientation and spatial frequency,
used in movie frames and pair images). Function words carry no concept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CONCEPT_WORDS: dict[str, tuple[str, ...]] = {
    "animal": ("dog", "cat", "horse", "bird", "puppy", "cow", "sheep", "fox"),
    "food": ("bread", "apple", "soup", "cheese", "cake", "rice", "pie", "egg"),
    "vehicle": ("car", "truck", "bus", "train", "bike", "plane", "boat", "taxi"),
    "water": ("river", "lake", "sea", "wave", "rain", "ocean", "pond", "beach"),
    "building": ("house", "tower", "church", "school", "bridge", "wall", "roof", "castle"),
    "family": ("mother", "father", "sister", "brother", "baby", "uncle", "aunt", "child"),
    "music": ("song", "guitar", "piano", "drum", "band", "singer", "violin", "choir"),
    "sport": ("ball", "soccer", "tennis", "runner", "goal", "team", "race", "coach"),
    "tool": ("hammer", "knife", "saw", "drill", "rope", "ladder", "shovel", "wrench"),
    "weather": ("snow", "storm", "wind", "cloud", "thunder", "fog", "ice", "sun"),
    "clothing": ("shirt", "hat", "dress", "coat", "boot", "scarf", "glove", "jacket"),
    "plant": ("tree", "flower", "grass", "leaf", "rose", "forest", "garden", "seed"),
}

FUNCTION_WORDS: tuple[str, ...] = (
    "the", "a", "and", "of", "to", "in", "was", "he", "she", "it", "that", "with",
    "on", "for", "as", "at", "by", "we", "they", "then", "there", "so", "but", "very",
)

#: Filler tokens the story TextGrids contain; the loaders must drop them.
FILLER_TOKENS: tuple[str, ...] = ("sp", "{BR}", "{LG}", "{NS}", "sentence_start", "sentence_end")


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
    """

    names: tuple[str, ...]
    words: tuple[tuple[str, ...], ...]
    colours: np.ndarray
    orientations: np.ndarray
    frequencies: np.ndarray

    @property
    def n_concepts(self) -> int:
        return len(self.names)

    def concept_of_word(self) -> dict[str, int]:
        """Map every concept word to its concept index."""
        return {word: k for k, words in enumerate(self.words) for word in words}


def make_lexicon(n_concepts: int, seed: int, words_per_concept: int = 8) -> Lexicon:
    """Pick ``n_concepts`` concepts and give each a distinct visual look.

    Parameters
    ----------
    n_concepts : int
        At most ``len(CONCEPT_WORDS)``.
    seed : int
    words_per_concept : int
        The first ``words_per_concept`` words (at most 8) of each concept are used.

    Returns
    -------
    Lexicon
    """
    if not 1 <= n_concepts <= len(CONCEPT_WORDS):
        raise ValueError(f"n_concepts must be in 1..{len(CONCEPT_WORDS)}, got {n_concepts}")
    rng = np.random.default_rng(seed)
    names = tuple(list(CONCEPT_WORDS)[:n_concepts])
    hues = (np.arange(n_concepts) + rng.uniform(0, 0.3)) / n_concepts
    colours = np.stack([_hue_to_rgb(h) for h in hues]) * 0.7 + 0.15
    orientations = rng.permutation(n_concepts) * np.pi / n_concepts
    frequencies = 2.0 + 6.0 * rng.permutation(n_concepts) / max(n_concepts - 1, 1)
    return Lexicon(names, tuple(CONCEPT_WORDS[n][:words_per_concept] for n in names), colours, orientations, frequencies)


def _hue_to_rgb(hue: float) -> np.ndarray:
    """Fully saturated colour of a hue in [0, 1), as RGB in [0, 1]."""
    offsets = np.array([0.0, 2.0 / 3.0, 1.0 / 3.0])
    return np.clip(np.abs(((hue + offsets) % 1.0) * 6.0 - 3.0) - 1.0, 0.0, 1.0)
