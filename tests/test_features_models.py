"""Feature model registry: tiny models, layer names, offline loading."""

import numpy as np
import pytest
import torch

from crossmodal.errors import InputError
from crossmodal.features.models import REGISTRY, corresponding_layer, load_feature_model
from crossmodal.features.text import extract_word_features
from crossmodal.features.tokenizer import build_tiny_tokenizer


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_registry_names_and_modalities():
    assert set(REGISTRY) == {
        "bridgetower-base", "bridgetower-large", "roberta-base", "vit-base", "clip-vit-base-patch32", "siglip-base",
        "tiny-bridgetower", "tiny-roberta", "tiny-vit", "tiny-clip", "tiny-siglip",
    }
    assert REGISTRY["clip-vit-base-patch32"].checkpoint == "openai/clip-vit-base-patch32"
    assert REGISTRY["siglip-base"].checkpoint == "google/siglip-base-patch16-224"
    assert REGISTRY["bridgetower-base"].checkpoint == "BridgeTower/bridgetower-base"
    assert load_feature_model("tiny-bridgetower").modalities == ("text", "vision")
    assert load_feature_model("tiny-roberta").modalities == ("text",)
    assert load_feature_model("tiny-vit").modalities == ("vision",)


def test_layer_names_and_defaults():
    bridgetower = load_feature_model("tiny-bridgetower")
    assert bridgetower.layer_names("text") == [f"text.{k}" for k in range(5)] + ["cross_text.0", "cross_text.1"]
    assert bridgetower.layer_names("vision") == [f"vision.{k}" for k in range(5)] + ["cross_image.0", "cross_image.1"]
    assert bridgetower.default_layer("text") == "cross_text.1"
    assert bridgetower.default_layer("vision") == "cross_image.1"
    roberta, vit = load_feature_model("tiny-roberta"), load_feature_model("tiny-vit")
    assert roberta.layer_names("text") == [f"text.{k}" for k in range(5)] and roberta.default_layer("text") == "text.2"
    assert vit.layer_names("vision") == [f"vision.{k}" for k in range(5)] and vit.default_layer("vision") == "vision.2"
    with pytest.raises(InputError, match="has no vision modality"):
        roberta.layer_names("vision")


def test_corresponding_layer():
    assert corresponding_layer("cross_text.3", "vision") == "cross_image.3"
    assert corresponding_layer("cross_image.3", "text") == "cross_text.3"
    assert corresponding_layer("text.6", "vision") == "vision.6"
    with pytest.raises(InputError):
        corresponding_layer("pooler", "text")


def test_tiny_models_are_deterministic():
    words = "the quick brown fox jumped over the lazy dog".split()
    first, second = load_feature_model("tiny-bridgetower", seed=3), load_feature_model("tiny-bridgetower", seed=3)
    for (name, a), (_, b) in zip(first.network.state_dict().items(), second.network.state_dict().items()):
        assert torch.equal(a, b), name
    np.testing.assert_array_equal(extract_word_features(first, words), extract_word_features(second, words))
    other = load_feature_model("tiny-bridgetower", seed=4)
    assert not np.allclose(extract_word_features(other, words), extract_word_features(first, words))


def test_tiny_tokenizer_uses_roberta_special_ids_and_splits_words():
    tokenizer = build_tiny_tokenizer()
    assert [tokenizer.token_to_id(token) for token in ("<s>", "<pad>", "</s>", "<unk>")] == [0, 1, 2, 3]
    assert tokenizer.encode("the dog").ids[0] == 0 and tokenizer.encode("the dog").ids[-1] == 2
    lengths = [len(tokenizer.encode(" " + word, add_special_tokens=False).ids) for word in ("the", "xylophonist")]
    assert lengths[0] == 1 and lengths[1] > 2
    assert build_tiny_tokenizer().get_vocab() == tokenizer.get_vocab()


def test_bridgetower_cross_layers_are_bidirectional():
    network = load_feature_model("tiny-bridgetower").network
    for layer in list(network.cross_modal_text_layers) + list(network.cross_modal_image_layers):
        assert layer.attention.self.is_causal is False


def test_missing_checkpoint_offline_is_an_input_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(InputError) as error:
        load_feature_model("bridgetower-base", cache_dir=tmp_path / "empty-cache")
    message = str(error.value)
    assert message.startswith("feature model 'bridgetower-base' (checkpoint BridgeTower/bridgetower-base): ")
    assert "`hf download BridgeTower/bridgetower-base`" in message
    assert "\n" not in message
    with pytest.raises(InputError, match="hf download my-org/my-roberta"):
        load_feature_model("roberta-base", checkpoint="my-org/my-roberta", cache_dir=tmp_path)


def test_unknown_model_name():
    with pytest.raises(InputError, match="(?i)use one of bridgetower-base"):
        load_feature_model("gpt-5")


def test_hf_image_processors_are_wrapped_to_pixel_tensors():
    """The real checkpoints' processor classes, default-constructed (no download)."""
    from transformers import BridgeTowerImageProcessor, ViTImageProcessor

    from crossmodal.features.models import _hf_image_preprocessor

    images = np.random.default_rng(0).integers(0, 256, (2, 120, 90, 3), dtype=np.uint8)
    assert _hf_image_preprocessor(BridgeTowerImageProcessor())(images).shape == (2, 3, 288, 288)
    pixels = _hf_image_preprocessor(ViTImageProcessor())(images)
    assert pixels.shape == (2, 3, 224, 224) and pixels.dtype == torch.float32


def test_hf_tokenizer_adapter_matches_the_tiny_one():
    from transformers import PreTrainedTokenizerFast

    from crossmodal.features.tokenizer import TextTokenizer

    tokenizer = build_tiny_tokenizer()
    hf = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", pad_token="<pad>", unk_token="<unk>"
    )
    wrapped, direct = TextTokenizer.from_hf(hf), TextTokenizer.from_tokenizers(tokenizer)
    texts = ["the dog ran home", "xylophonist"]
    assert wrapped.encode(texts) == direct.encode(texts)
    assert (wrapped.bos_id, wrapped.eos_id, wrapped.pad_id) == (0, 2, 1)


def test_layer_names_without_loading():
    from crossmodal.features.models import default_layer_for, layer_names_for

    assert layer_names_for("bridgetower-base", "text")[-1] == "cross_text.5"
    assert len(layer_names_for("bridgetower-base", "vision")) == 13 + 6
    assert default_layer_for("bridgetower-base", "vision") == "cross_image.3"
    assert default_layer_for("roberta-base", "text") == "text.6"
    assert default_layer_for("vit-base", "vision") == "vision.6"
    for name in ("tiny-bridgetower", "tiny-roberta", "tiny-vit", "tiny-clip", "tiny-siglip"):
        model = load_feature_model(name)
        for modality in model.modalities:
            assert layer_names_for(name, modality) == model.layer_names(modality)
            assert default_layer_for(name, modality) == model.default_layer(modality)
    with pytest.raises(InputError, match="has no text modality"):
        layer_names_for("vit-base", "text")
