"""Text features: causal word windows, batching, BridgeTower's grey-image partner."""

import numpy as np
import pytest
import torch

from crossmodal.errors import InputError
from crossmodal.features.forward import _partner_image_bridges, bridgetower_image_bridges, bridgetower_vision_tower, grey_image
from crossmodal.features.models import load_feature_model
from crossmodal.features.text import context_windows, extract_caption_features, extract_sentence_features, extract_word_features

WORDS = (
    "so i walked into the kitchen and there was this enormous xylophonist playing quietly "
    "while my grandmother counted sandwiches near the window because nobody else would "
    "and then the telephone rang twice"
).split()
TOL = dict(rtol=1e-4, atol=1e-5)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def roberta():
    return load_feature_model("tiny-roberta", device="cpu")


def token_ids(model, text):
    return [model.tokenizer.bos_id, *model.tokenizer.encode([text])[0], model.tokenizer.eos_id]


def test_context_windows_are_causal():
    windows = context_windows(["a", "b", "c", "d"], context_words=2)
    assert windows == ["a", "a b", "a b c", "b c d"]
    assert context_windows(["a", "b"], 0) == ["a", "b"]


def test_bridgetower_words_match_the_full_forward(bridgetower):
    """Cached grey-image stream + split forward == BridgeTowerModel.forward with the grey image."""
    features = extract_word_features(bridgetower, WORDS, context_words=5, batch_size=7)
    assert features.shape == (7, len(WORDS), 64) and features.dtype == np.float32
    pixels = bridgetower.image_preprocessor(grey_image(bridgetower))
    for i in (0, 3, 12, len(WORDS) - 1):
        ids = token_ids(bridgetower, " ".join(WORDS[max(0, i - 5) : i + 1]))
        with torch.no_grad():
            text_states, _, cross_states = bridgetower.network(
                input_ids=torch.tensor([ids]), pixel_values=pixels
            ).hidden_states
        expected = [state[0, len(ids) - 2] for state in text_states] + [text[0, len(ids) - 2] for text, _ in cross_states]
        np.testing.assert_allclose(features[:, i], torch.stack(expected).numpy(), **TOL)


def test_grey_partner_is_fixed_and_cached(bridgetower):
    image = grey_image(bridgetower)
    assert image.dtype == np.uint8 and (image == 128).all()
    cached = _partner_image_bridges(bridgetower)
    assert _partner_image_bridges(bridgetower) is cached
    with torch.no_grad():
        pixels = bridgetower.image_preprocessor(image)
        fresh = bridgetower_image_bridges(bridgetower.network, bridgetower_vision_tower(bridgetower.network, pixels))
    for a, b in zip(cached, fresh):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_roberta_words_match_the_forward(roberta):
    features = extract_word_features(roberta, WORDS, context_words=20)
    assert features.shape == (5, len(WORDS), 64)
    i = 20
    ids = token_ids(roberta, " ".join(WORDS[0 : i + 1]))
    with torch.no_grad():
        states = roberta.network(input_ids=torch.tensor([ids]), output_hidden_states=True).hidden_states
    np.testing.assert_allclose(features[:, i], torch.stack([s[0, len(ids) - 2] for s in states]).numpy(), **TOL)


@pytest.mark.parametrize("name", ["tiny-bridgetower", "tiny-roberta"])
def test_changing_later_words_leaves_earlier_features_unchanged(name):
    model = load_feature_model(name, device="cpu")
    changed = WORDS[:10] + ["zebra", "quantum", "marmalade"] + WORDS[13:]
    original = extract_word_features(model, WORDS, context_words=20)
    altered = extract_word_features(model, changed, context_words=20)
    np.testing.assert_array_equal(original[:, :10], altered[:, :10])  # every layer, cross-modal included
    assert not np.allclose(original[:, 10], altered[:, 10])


@pytest.mark.parametrize("name", ["tiny-bridgetower", "tiny-roberta"])
def test_batched_equals_one_at_a_time(name):
    model = load_feature_model(name, device="cpu")
    batched = extract_word_features(model, WORDS, context_words=8, batch_size=64)
    single = extract_word_features(model, WORDS, context_words=8, batch_size=1)
    np.testing.assert_allclose(batched, single, **TOL)


def test_padding_does_not_change_a_sentence(bridgetower):
    short, long = "the dog ran", " ".join(WORDS)
    alone = extract_sentence_features(bridgetower, [short], batch_size=1)
    padded = extract_sentence_features(bridgetower, [long, short, long], batch_size=3)
    np.testing.assert_allclose(padded[:, 1], alone[:, 0], **TOL)
    np.testing.assert_allclose(padded[:, 0], padded[:, 2], **TOL)


def test_sentence_last_token_equals_word_feature_of_its_last_word(bridgetower):
    caption = WORDS[:9]
    sentence = extract_sentence_features(bridgetower, [" ".join(caption)])
    words = extract_word_features(bridgetower, caption, context_words=20)
    np.testing.assert_allclose(sentence[:, 0], words[:, -1], **TOL)


def test_sentence_mean_pooling(roberta):
    caption = "a man rides a horse on the beach"
    pooled = extract_sentence_features(roberta, [caption, "dogs"], pooling="mean")
    ids = token_ids(roberta, caption)
    with torch.no_grad():
        states = roberta.network(input_ids=torch.tensor([ids]), output_hidden_states=True).hidden_states
    expected = torch.stack([state[0, 1:-1].mean(0) for state in states]).numpy()
    np.testing.assert_allclose(pooled[:, 0], expected, **TOL)


def test_bad_inputs_are_input_errors(bridgetower):
    with pytest.raises(InputError, match="story.TextGrid: word 1 is empty"):
        extract_word_features(bridgetower, ["hello", "  ", "world"], source="story.TextGrid")
    with pytest.raises(InputError, match="has no words"):
        extract_word_features(bridgetower, [])
    with pytest.raises(InputError, match="has no text modality"):
        extract_word_features(load_feature_model("tiny-vit"), ["a"])
    with pytest.raises(InputError, match="pooling"):
        extract_sentence_features(bridgetower, ["a"], pooling="max")


def test_long_windows_are_truncated_from_the_left(roberta):
    words = ["antidisestablishmentarianism"] * 40  # 16 tokens a word: the last windows exceed 512 tokens
    assert len(roberta.tokenizer.encode([" ".join(words)])[0]) > roberta.max_text_tokens
    features = extract_word_features(roberta, words, context_words=39, batch_size=8)
    assert np.isfinite(features).all() and features.shape[1] == 40
    # Both windows keep their last 510 tokens, which are the same tokens.
    np.testing.assert_allclose(features[:, -1], features[:, -2], **TOL)


def test_captions_are_read_like_story_words(bridgetower, monkeypatch):
    """A caption's vector is the mean of its words read with the story rule (context from the same caption only)."""
    captions = [WORDS[:5], WORDS[5:12], ["dogs"]]
    features = extract_caption_features(bridgetower, captions, context_words=3, batch_size=4)
    for index, words in enumerate(captions):
        expected = extract_word_features(bridgetower, words, context_words=3).mean(axis=1)
        np.testing.assert_allclose(features[:, index], expected, **TOL)
    monkeypatch.setattr("crossmodal.features.text.CAPTION_CHUNK", 2)  # chunks of captions give the same vectors
    np.testing.assert_allclose(extract_caption_features(bridgetower, captions, context_words=3, batch_size=4), features, **TOL)
    other = extract_caption_features(bridgetower, [WORDS[:5], WORDS[20:27], ["dogs"]], context_words=3)
    np.testing.assert_allclose(other[:, [0, 2]], features[:, [0, 2]], **TOL)  # no context crosses captions
    with pytest.raises(InputError, match="caption 1 has no words"):
        extract_caption_features(bridgetower, [["a"], []])


def test_repeated_windows_are_encoded_once(roberta, monkeypatch):
    """Captions sharing their first words share windows; each distinct window goes through the model once and
    every occurrence gets its vector (the same as encoding each window alone)."""
    import crossmodal.features.text as text

    captions = [["a", "dog", "runs"], ["a", "dog", "sleeps"], ["a", "cat"], ["a", "dog", "runs"]]
    encoded = []
    forward = text.text_hidden_states
    monkeypatch.setattr(text, "text_hidden_states", lambda model, ids, mask: encoded.append(len(ids)) or forward(model, ids, mask))
    features = extract_caption_features(roberta, captions, context_words=20, batch_size=2)
    assert sum(encoded) == len({" ".join(words[: i + 1]) for words in captions for i in range(len(words))}) == 5
    np.testing.assert_array_equal(features[:, 0], features[:, 3])
    for index, words in enumerate(captions):
        alone = np.mean([text.encode_token_sequences(roberta, [token_ids(roberta, " ".join(words[: i + 1]))])[:, 0]
                         for i in range(len(words))], axis=0)
        np.testing.assert_allclose(features[:, index], alone, **TOL)
