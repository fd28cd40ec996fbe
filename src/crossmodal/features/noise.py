"""Word noise: a feature model that reads some words wrong, so it carries less of the stimulus.

A validation knob (config ``models.<set>.word_noise``): on synthetic data it
plants a known difference between two model sets (the one with noise must lose
the multimodal-vs-unimodal comparison), and two sets with equal noise but
different draws must tie. Each occurrence of a word is replaced, with
probability ``fraction``, by a word drawn uniformly from the distinct words of
the same text (a story, or a split's captions), so word frequencies and text
length stay as they were and only the word-to-meaning link is lost.

The features of such a model live under their own key (:func:`feature_key`),
e.g. ``results/features/tiny-roberta+wordnoise-0.8-seed-0/``, so they never
mix with the clean model's.
"""

from __future__ import annotations

import re
import zlib
from typing import Sequence

import numpy as np

from crossmodal.errors import InputError

_KEY = re.compile(r"^(?P<name>.+)\+wordnoise-(?P<fraction>[0-9.]+)-seed-(?P<seed>[0-9]+)$")


def feature_key(name: str, word_noise: float = 0.0, word_noise_seed: int = 0) -> str:
    """The folder name of a feature model's features: the registry name, plus the word noise when there is any.

    Parameters
    ----------
    name : str
        Registry name (e.g. ``tiny-roberta``).
    word_noise : float
        Fraction of word occurrences replaced (0 to 1).
    word_noise_seed : int

    Returns
    -------
    key : str
        ``name`` without noise, else ``name+wordnoise-<fraction>-seed-<seed>``.
    """
    if not 0.0 <= word_noise <= 1.0:
        raise InputError(f"feature_key({name})", f"word_noise must lie in [0, 1], got {word_noise}", "fix models.<set>.word_noise")
    if word_noise == 0:
        return name
    return f"{name}+wordnoise-{word_noise:g}-seed-{int(word_noise_seed)}"


def parse_feature_key(key: str) -> tuple[str, float, int]:
    """Inverse of :func:`feature_key`.

    Returns
    -------
    name : str
    word_noise : float
    word_noise_seed : int
    """
    match = _KEY.match(key)
    if match is None:
        return key, 0.0, 0
    return match["name"], float(match["fraction"]), int(match["seed"])


def corrupt_words(words: Sequence[str], fraction: float, seed: int, stream: str) -> list[str]:
    """Replace each word occurrence, with probability ``fraction``, by a random word of the same text.

    Parameters
    ----------
    words : sequence of str, length n_words
    fraction : float
        Probability of replacement per occurrence (0: the words unchanged).
    seed : int
        Config seed (``models.<set>.word_noise_seed``).
    stream : str
        Name of the text (story run, caption split): each text gets its own
        reproducible draw.

    Returns
    -------
    words : list of str, length n_words
        A replaced word is drawn uniformly from the distinct words of
        ``words`` (it can be the same word).
    """
    words = [str(word) for word in words]
    if fraction == 0 or not words:
        return words
    rng = np.random.default_rng([int(seed), zlib.crc32(stream.encode())])
    vocabulary = sorted(set(words))
    replace = rng.random(len(words)) < fraction
    draws = rng.integers(len(vocabulary), size=len(words))
    return [vocabulary[draw] if flip else word for word, flip, draw in zip(words, replace, draws)]


def corrupt_captions(captions: Sequence[Sequence[str]], fraction: float, seed: int, stream: str) -> list[list[str]]:
    """:func:`corrupt_words` over the words of all captions of a split, kept in their captions.

    Parameters
    ----------
    captions : sequence of sequences of str, length n_captions
    fraction, seed, stream
        See :func:`corrupt_words`; the vocabulary is that of all captions.

    Returns
    -------
    captions : list of lists of str, each as long as before
    """
    lengths = [len(caption) for caption in captions]
    flat = corrupt_words([word for caption in captions for word in caption], fraction, seed, stream)
    bounds = np.cumsum([0, *lengths])
    return [flat[start:stop] for start, stop in zip(bounds[:-1], bounds[1:])]
