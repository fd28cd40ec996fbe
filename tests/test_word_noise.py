"""Tests of crossmodal.features.noise: the word-noise validation knob."""

import numpy as np
import pytest

from crossmodal.errors import InputError
from crossmodal.features.noise import corrupt_captions, corrupt_words, feature_key, parse_feature_key


def test_feature_key_round_trip():
    assert feature_key("tiny-roberta") == "tiny-roberta"
    key = feature_key("tiny-roberta", 0.8, 3)
    assert key == "tiny-roberta+wordnoise-0.8-seed-3"
    assert parse_feature_key(key) == ("tiny-roberta", 0.8, 3)
    assert parse_feature_key("tiny-bridgetower") == ("tiny-bridgetower", 0.0, 0)
    with pytest.raises(InputError, match="word_noise"):
        feature_key("tiny-roberta", 1.5)


def test_corrupt_words_replaces_the_expected_fraction_from_the_same_vocabulary():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in rng.integers(200, size=20000)]
    assert corrupt_words(words, 0.0, 0, "story") == words
    noisy = corrupt_words(words, 0.6, 0, "story")
    assert len(noisy) == len(words) and set(noisy) <= set(words)
    changed = np.mean([a != b for a, b in zip(words, noisy)])
    # a replacement draws the same word with probability ~1/200
    assert changed == pytest.approx(0.6 * (1 - 1 / 200), abs=0.015)
    assert noisy == corrupt_words(words, 0.6, 0, "story")  # reproducible
    assert noisy != corrupt_words(words, 0.6, 1, "story")  # the seed matters
    assert noisy != corrupt_words(words, 0.6, 0, "other story")  # each text its own draw
    assert set(corrupt_words(words, 1.0, 0, "story")) <= set(words)


def test_corrupt_captions_keeps_caption_lengths():
    captions = [["a", "dog", "runs"], ["two", "cats"], ["a", "red", "ball", "here"]]
    noisy = corrupt_captions(captions, 1.0, 0, "train_captions")
    assert [len(c) for c in noisy] == [3, 2, 4]
    assert {w for c in noisy for w in c} <= {w for c in captions for w in c}
    assert corrupt_captions(captions, 0.0, 0, "train_captions") == captions
