"""Fingerprints of stimuli, so that files made from a stimulus can be checked against it.

A feature file stores the name of the run whose stimulus it was computed from
and that stimulus's fingerprint (:func:`stimulus_fingerprint`); every reader
compares both with what the loader reads for the run it needs, so features of
one story can never be paired with the responses to another.

* Words: SHA-256 of ``word<TAB>onset<TAB>offset`` lines (times in ms), so a
  changed transcript or changed timings change the fingerprint.
* Frames: SHA-256 of the frame count, frame shape, frame rate and the bytes of
  up to :data:`N_DIGEST_FRAMES` frames at evenly spaced positions (first and
  last included), so a real-sized movie run is fingerprinted in a few reads.
* Pairs: SHA-256 of the image file names and captions of a split.

Fingerprints are the first 16 hexadecimal digits of the digest.
"""

from __future__ import annotations

import hashlib
from typing import Sequence

import numpy as np

from crossmodal.data.types import FrameRun, PairData, WordEvents

__all__ = ["frames_fingerprint", "pairs_fingerprint", "stimulus_fingerprint", "words_fingerprint"]

#: Frames read to fingerprint a movie run.
N_DIGEST_FRAMES = 16
_LENGTH = 16


def words_fingerprint(words: Sequence[str], onsets, offsets) -> str:
    """Fingerprint of timed words.

    Parameters
    ----------
    words : sequence of str, length n_words
    onsets, offsets : arrays of shape (n_words,), seconds

    Returns
    -------
    str
        16 hexadecimal digits.
    """
    onsets = np.asarray(onsets, dtype=float)
    offsets = np.asarray(offsets, dtype=float)
    digest = hashlib.sha256()
    for word, onset, offset in zip(words, onsets, offsets):
        digest.update(f"{word}\t{onset * 1000:.0f}\t{offset * 1000:.0f}\n".encode())
    return digest.hexdigest()[:_LENGTH]


def frames_fingerprint(frames: FrameRun) -> str:
    """Fingerprint of a movie run's frames (reads at most :data:`N_DIGEST_FRAMES` frames).

    Parameters
    ----------
    frames : FrameRun

    Returns
    -------
    str
        16 hexadecimal digits.
    """
    digest = hashlib.sha256(f"{frames.n_frames} {tuple(frames.frame_shape)} {float(frames.fps):.6f}\n".encode())
    positions = np.unique(np.linspace(0, frames.n_frames - 1, min(N_DIGEST_FRAMES, frames.n_frames)).round().astype(int))
    with frames.open() as dataset:
        for position in positions:
            digest.update(np.ascontiguousarray(dataset[int(position)]).tobytes())
    return digest.hexdigest()[:_LENGTH]


def pairs_fingerprint(pairs: PairData) -> str:
    """Fingerprint of image-caption pairs: image file names, captions and their images.

    Returns
    -------
    str
        16 hexadecimal digits.
    """
    digest = hashlib.sha256()
    for path in pairs.image_paths:
        digest.update(f"{path.name}\n".encode())
    for caption, image in zip(pairs.captions, pairs.caption_image):
        digest.update(f"{image}\t{caption}\n".encode())
    return digest.hexdigest()[:_LENGTH]


def stimulus_fingerprint(stimulus: WordEvents | FrameRun) -> str:
    """Fingerprint of a story's words or a movie run's frames.

    Parameters
    ----------
    stimulus : WordEvents or FrameRun

    Returns
    -------
    str
        16 hexadecimal digits.
    """
    if isinstance(stimulus, WordEvents):
        return words_fingerprint(list(stimulus.words), stimulus.onsets, stimulus.offsets)
    if isinstance(stimulus, FrameRun):
        return frames_fingerprint(stimulus)
    raise TypeError(f"expected WordEvents or FrameRun, got {type(stimulus).__name__}")
