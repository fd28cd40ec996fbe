"""CLIP-family dual encoders (CLIPModel, SiglipModel): text tower for words and captions, vision tower for frames.

Tiny randomly initialised twins (``tiny-clip``, ``tiny-siglip``): both towers
4 layers of width 64, the tiny byte-level BPE tokenizer, 32x32 images in 8x8
patches. Every number is checked against the tower's own forward.
"""

import numpy as np
import pytest
import torch

from crossmodal.errors import InputError
from crossmodal.features.models import DUAL_ENCODERS, REGISTRY, default_layer_for, layer_names_for, load_feature_model
from crossmodal.features.text import extract_caption_features, extract_sentence_features, extract_word_features, token_sequences
from crossmodal.features.vision import extract_frame_features, extract_image_features

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TINY = ("tiny-clip", "tiny-siglip")
WORDS = "the children saw an enormous xylophonist near the river and then the telephone rang twice".split()
TOL = dict(rtol=1e-4, atol=1e-5)


@pytest.fixture(scope="module", params=TINY)
def dual(request):
    return load_feature_model(request.param, device="cpu")


@pytest.fixture(scope="module")
def frames():
    return np.random.default_rng(0).integers(0, 256, (12, 48, 40, 3), dtype=np.uint8)


def _tower_states(dual, sequence: list[int]) -> torch.Tensor:
    """Text-tower states of one token sequence, straight from the network: (n_layers, seq, dim)."""
    input_ids = torch.tensor([sequence])
    with torch.inference_mode():
        states = dual.network.text_model(input_ids=input_ids, attention_mask=torch.ones_like(input_ids), output_hidden_states=True)
    return torch.stack(states.hidden_states)[:, 0]


def test_tiny_dual_encoders_layers_shapes_and_names(dual):
    architecture = dual.name.removeprefix("tiny-")
    assert dual.architecture == architecture and architecture in DUAL_ENCODERS
    assert type(dual.network).__name__ == {"clip": "CLIPModel", "siglip": "SiglipModel"}[architecture]
    assert dual.modalities == ("text", "vision") and dual.n_cross_layers == 0
    assert dual.layer_names("text") == [f"text.{k}" for k in range(5)]
    assert dual.layer_names("vision") == [f"vision.{k}" for k in range(5)]
    assert (dual.default_layer("text"), dual.default_layer("vision")) == ("text.2", "vision.2")
    assert dual.dim_of("text") == dual.dim_of("vision") == dual.dim == 64
    assert dual.max_text_tokens == {"clip": 77, "siglip": 64}[architecture]
    assert dual.has_cls_token is (architecture == "clip")
    words = extract_word_features(dual, WORDS, context_words=4)
    frame_features = extract_frame_features(dual, np.zeros((3, 48, 40, 3), np.uint8), [0, 1, 2])
    assert words.shape == (5, len(WORDS), 64) and frame_features.shape == (5, 3, 64)
    assert words.dtype == frame_features.dtype == np.float32
    for modality in dual.modalities:
        assert layer_names_for(dual.name, modality) == dual.layer_names(modality)
        assert default_layer_for(dual.name, modality) == dual.default_layer(modality)


def test_real_dual_encoder_names_without_loading():
    for name in ("clip-vit-base-patch32", "siglip-base"):
        assert layer_names_for(name, "text") == [f"text.{k}" for k in range(13)]
        assert layer_names_for(name, "vision") == [f"vision.{k}" for k in range(13)]
        assert default_layer_for(name, "vision") == "vision.6"
    assert {REGISTRY[name].architecture for name in ("clip-vit-base-patch32", "tiny-clip")} == {"clip"}
    assert {REGISTRY[name].architecture for name in ("siglip-base", "tiny-siglip")} == {"siglip"}


@pytest.mark.parametrize("name", TINY)
def test_tiny_dual_encoders_are_deterministic(name, frames):
    first, second, other = (load_feature_model(name, seed=seed, device="cpu") for seed in (3, 3, 4))
    for (key, a), (_, b) in zip(first.network.state_dict().items(), second.network.state_dict().items()):
        assert torch.equal(a, b), key
    np.testing.assert_array_equal(extract_word_features(first, WORDS), extract_word_features(second, WORDS))
    np.testing.assert_array_equal(extract_frame_features(first, frames, [0, 5]), extract_frame_features(second, frames, [0, 5]))
    assert not np.allclose(extract_word_features(other, WORDS), extract_word_features(first, WORDS))


def test_words_are_read_at_their_last_token(dual):
    """'xylophonist' spans several tiny-BPE tokens; its feature is the tower state of its last one, before </s>.

    CLIP's sequences are ``<s> ids </s>``; SigLIP's tokenizer has no start token, so ``ids </s>``."""
    index = WORDS.index("xylophonist")
    n_pieces = len(dual.tokenizer.encode([" xylophonist"])[0])
    assert n_pieces >= 3
    features = extract_word_features(dual, WORDS, context_words=3, batch_size=5)
    window = " ".join(WORDS[index - 3 : index + 1])
    ids = dual.tokenizer.encode([window])[0]
    start = [0] if dual.architecture == "clip" else []
    assert token_sequences(dual, [window], "test") == [start + ids + [2]]
    states = _tower_states(dual, start + ids + [2])
    last, first = states.shape[1] - 2, states.shape[1] - 1 - n_pieces
    np.testing.assert_allclose(features[:, index], states[:, last].numpy(), **TOL)
    assert not np.allclose(features[-1, index], states[-1, first].numpy(), atol=1e-3)


def test_the_full_dual_model_forward_gives_the_same_text_states(dual):
    """The text tower run alone equals the text half of CLIPModel / SiglipModel.forward (with a dummy image)."""
    sequence = token_sequences(dual, [" ".join(WORDS[:6])], "test")[0]
    pixels = torch.zeros((1, 3, 32, 32))
    with torch.inference_mode():
        output = dual.network(input_ids=torch.tensor([sequence]), pixel_values=pixels, output_hidden_states=True)
    expected = torch.stack(output.text_model_output.hidden_states)[:, 0, len(sequence) - 2]
    features = extract_word_features(dual, WORDS[:6], context_words=20)
    np.testing.assert_allclose(features[:, 5], expected.numpy(), **TOL)


def test_padding_and_batching_change_nothing(dual, frames):
    np.testing.assert_allclose(
        extract_word_features(dual, WORDS, context_words=6, batch_size=64),
        extract_word_features(dual, WORDS, context_words=6, batch_size=1),
        **TOL,
    )
    np.testing.assert_allclose(
        extract_frame_features(dual, frames, np.arange(0, 12, 2), batch_size=32),
        extract_frame_features(dual, frames, np.arange(0, 12, 2), batch_size=1),
        **TOL,
    )


def test_clip_text_is_causal_siglip_text_is_not():
    """CLIP's text tower never lets a token see later ones; SigLIP's does (hence word windows end at the word)."""
    for name, causal in (("tiny-clip", True), ("tiny-siglip", False)):
        model = load_feature_model(name, device="cpu")
        a = token_sequences(model, ["the dog ran home"], "test")[0]
        b = token_sequences(model, ["the dog ran away"], "test")[0]
        first = len(model.tokenizer.encode(["the dog"])[0]) + (model.tokenizer.bos_id is not None) - 1
        same = torch.allclose(_tower_states(model, a)[-1, first], _tower_states(model, b)[-1, first], atol=1e-6)
        assert same is causal, name


def test_captions_read_like_words(dual):
    captions = [["a", "dog", "runs"], ["the", "xylophonist", "plays", "music", "loudly"]]
    per_caption = extract_caption_features(dual, captions, context_words=20, batch_size=4)
    for index, words in enumerate(captions):
        np.testing.assert_allclose(per_caption[:, index], extract_word_features(dual, words).mean(axis=1), **TOL)
    mean = extract_sentence_features(dual, ["a dog runs"], pooling="mean")
    sequence = token_sequences(dual, ["a dog runs"], "test")[0]
    skip = 1 if dual.tokenizer.bos_id is not None else 0  # mean over the text tokens only
    np.testing.assert_allclose(mean[:, 0], _tower_states(dual, sequence)[:, skip:-1].mean(dim=1).numpy(), **TOL)


def test_frames_match_the_vision_tower(dual, frames):
    """CLIP keeps its CLS token (token 0, after pre_layrnorm at vision.0); SigLIP has none, so both poolings
    give the mean of all its patch tokens."""
    with torch.inference_mode():
        pixels = dual.image_preprocessor(frames[4:5])
        states = torch.stack(dual.network.vision_model(pixel_values=pixels, output_hidden_states=True).hidden_states)[:, 0]
    cls, mean = (extract_frame_features(dual, frames, [4], pooling=pooling)[:, 0] for pooling in ("cls", "mean"))
    assert states.shape[1] == {"clip": 17, "siglip": 16}[dual.architecture]  # 16 patches (+ CLS for CLIP)
    if dual.architecture == "clip":
        np.testing.assert_allclose(cls, states[:, 0].numpy(), **TOL)
        np.testing.assert_allclose(mean, states[:, 1:].mean(dim=1).numpy(), **TOL)
    else:
        np.testing.assert_allclose(cls, states.mean(dim=1).numpy(), **TOL)
        np.testing.assert_allclose(mean, cls, **TOL)
    images = extract_image_features(dual, [frames[4], frames[5][:30]], batch_size=2)
    np.testing.assert_allclose(images[:, 0], cls, **TOL)


def test_real_dual_checkpoints_load_offline_or_say_how_to_fetch_them(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for name, checkpoint in (("clip-vit-base-patch32", "openai/clip-vit-base-patch32"), ("siglip-base", "google/siglip-base-patch16-224")):
        with pytest.raises(InputError) as error:
            load_feature_model(name, cache_dir=tmp_path / "empty-cache")
        message = str(error.value)
        assert message.startswith(f"feature model '{name}' (checkpoint {checkpoint}): ") and "\n" not in message
        assert f"`hf download {checkpoint}`" in message


def test_real_dual_image_processors_are_wrapped_to_pixel_tensors():
    """The real checkpoints' processor classes, default-constructed (no download)."""
    from transformers import CLIPImageProcessor, SiglipImageProcessor

    from crossmodal.features.models import _hf_image_preprocessor

    images = np.random.default_rng(0).integers(0, 256, (2, 120, 90, 3), dtype=np.uint8)
    for processor in (CLIPImageProcessor(), SiglipImageProcessor()):
        pixels = _hf_image_preprocessor(processor)(images)
        assert pixels.shape == (2, 3, 224, 224) and pixels.dtype == torch.float32


def test_towers_of_different_widths_are_read_per_modality():
    """A real CLIP ViT-B/32 has a 512-wide text tower and a 768-wide vision tower: each file gets its own width."""
    from transformers import CLIPConfig, CLIPModel

    from crossmodal.features.models import FeatureModel, ImagePreprocessor

    config = CLIPConfig(
        text_config=dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64, vocab_size=700,
                         bos_token_id=0, pad_token_id=1, eos_token_id=2),
        vision_config=dict(hidden_size=48, num_hidden_layers=3, num_attention_heads=2, intermediate_size=96, image_size=32, patch_size=8),
    )
    tiny = load_feature_model("tiny-clip", device="cpu")
    model = FeatureModel("clip-vit-base-patch32", "local", "clip", CLIPModel(config).eval(), torch.device("cpu"),
                         tokenizer=tiny.tokenizer, image_preprocessor=ImagePreprocessor(32), image_size=32)
    assert (model.dim_of("text"), model.dim_of("vision")) == (32, 48)
    assert model.layer_names("vision") == [f"vision.{k}" for k in range(4)]
    assert extract_word_features(model, WORDS[:4]).shape == (3, 4, 32)
    assert extract_frame_features(model, np.zeros((2, 40, 40, 3), np.uint8), [0, 1]).shape == (4, 2, 48)
    with pytest.raises(InputError, match="towers of different widths"):
        model.dim


@pytest.mark.parametrize("name, tiny", [("clip-vit-base-patch32", "tiny-clip"), ("siglip-base", "tiny-siglip")])
def test_a_real_dual_checkpoint_folder_loads_offline(tmp_path, name, tiny, frames):
    """The real-checkpoint path (``CLIPModel`` / ``SiglipModel.from_pretrained``, ``AutoTokenizer``,
    ``AutoImageProcessor``) on a local folder holding the tiny twin's weights and tokenizer: same text features."""
    from transformers import CLIPImageProcessor, PreTrainedTokenizerFast, SiglipImageProcessor

    from crossmodal.features.tokenizer import build_tiny_tokenizer

    model = load_feature_model(tiny, device="cpu")
    folder = tmp_path / name
    model.network.save_pretrained(folder)
    start = {"bos_token": "<s>"} if model.tokenizer.bos_id is not None else {}  # SigLIP's tokenizer has no start token
    PreTrainedTokenizerFast(tokenizer_object=build_tiny_tokenizer(), eos_token="</s>", pad_token="<pad>", unk_token="<unk>",
                            **start).save_pretrained(folder)
    size = {"height": 32, "width": 32}
    processor = CLIPImageProcessor(size=size, crop_size=size) if tiny == "tiny-clip" else SiglipImageProcessor(size=size)
    processor.save_pretrained(folder)

    loaded = load_feature_model(name, checkpoint=str(folder), device="cpu")
    assert (loaded.name, loaded.checkpoint, loaded.architecture, loaded.image_size) == (name, str(folder), model.architecture, 32)
    assert (loaded.tokenizer.bos_id, loaded.tokenizer.eos_id, loaded.tokenizer.pad_id) == (model.tokenizer.bos_id, 2, 1)
    np.testing.assert_allclose(extract_word_features(loaded, WORDS), extract_word_features(model, WORDS), **TOL)
    assert extract_frame_features(loaded, frames, [0, 3]).shape == (5, 2, 64)
