"""Registry of feature models: BridgeTower, RoBERTa, ViT, CLIP, SigLIP, their tiny twins, any HF text encoder.

``load_feature_model(name)`` returns a :class:`FeatureModel`: the torch
network in eval mode on its device, a tokenizer (text models), an image
preprocessor (vision models) and the names of the layers that extraction
returns.

Registered names
----------------
=========================  =============  ==========================================
name                       modalities     default checkpoint
=========================  =============  ==========================================
``bridgetower-base``       text, vision   ``BridgeTower/bridgetower-base``
``bridgetower-large``      text, vision   ``BridgeTower/bridgetower-large-itm-mlm-itc``
``roberta-base``           text           ``FacebookAI/roberta-base``
``vit-base``               vision         ``google/vit-base-patch16-224-in21k``
``clip-vit-base-patch32``  text, vision   ``openai/clip-vit-base-patch32``
``siglip-base``            text, vision   ``google/siglip-base-patch16-224``
``tiny-bridgetower``       text, vision   none: random init from a small config
``tiny-roberta``           text           none: random init from a small config
``tiny-vit``               vision         none: random init from a small config
``tiny-clip``              text, vision   none: random init from a small config
``tiny-siglip``            text, vision   none: random init from a small config
=========================  =============  ==========================================

CLIP and SigLIP are *dual encoders* (``CLIPModel``, ``SiglipModel``): the
text tower embeds stories and captions, the vision tower frames and images;
the towers never see each other, so there are no cross-modal layers. CLIP's
text tower is causal and reads at most 77 tokens, SigLIP's is bidirectional,
reads at most 64 tokens and has no start token; SigLIP's vision tower has no
CLS token (both vision poolings give the mean of its patch tokens). The two
towers of a real checkpoint may differ in width (CLIP ViT-B/32: text 512,
vision 768), so a model set using one needs ``alignment: [linear]``.

Any other Hugging Face text encoder (BERT, MiniLM, MPNet, RoBERTa-likes:
whatever ``AutoModel`` loads and runs on ``input_ids`` / ``attention_mask``)
is a text model under a name of the user's choosing, with its checkpoint (a
local folder or a cached hub name) given to :func:`load_feature_model`
(config ``features.text_encoders``), or :func:`load_text_encoder`. It
reads with its own tokenizer (start token ``[CLS]`` / ``<s>``, end token
``[SEP]`` / ``</s>``) and yields ``text.0 .. text.T`` like RoBERTa.

Real checkpoints load with ``from_pretrained(local_files_only=True)``: the
project never downloads at run time. A missing checkpoint raises
:class:`~crossmodal.errors.InputError` with the ``hf download`` command
that fills the cache.

Layer names
-----------
Index 0 of each unimodal tower is its embedding output; index ``k`` is the
residual stream after block ``k`` (before any final layer norm), as in Hugging
Face's ``output_hidden_states``:

- ``text.0 .. text.T``  text tower (RoBERTa / BridgeTower text encoder /
  CLIP or SigLIP text tower / any HF text encoder),
- ``vision.0 .. vision.V``  vision tower (ViT / BridgeTower's CLIP encoder /
  CLIP or SigLIP vision tower; ``vision.0`` is the patch + position
  embedding, after ``ln_pre`` for BridgeTower and ``pre_layrnorm`` for CLIP),
- ``cross_text.0 .. cross_text.C-1`` and ``cross_image.0 .. cross_image.C-1``
  BridgeTower's cross-modal layers, text and image streams.

Text stimuli get ``text.*`` (+ ``cross_text.*``), images and frames get
``vision.*`` (+ ``cross_image.*``). Defaults for downstream use: the middle
cross-modal layer, ``cross_text.{C//2}`` / ``cross_image.{C//2}`` (``.3``
for BridgeTower-Base's 6 layers), and the middle tower layer ``text.{T//2}``
/ ``vision.{V//2}`` (``.6`` for RoBERTa-Base and ViT-Base).
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from crossmodal.errors import InputError
from crossmodal.features.tokenizer import TextTokenizer, build_tiny_tokenizer

MODALITIES = ("text", "vision")
#: Architectures with separate text and vision towers and no cross-modal layers.
DUAL_ENCODERS = ("clip", "siglip")


@dataclass(frozen=True)
class ModelSpec:
    """What the registry knows about a name.

    ``tower_layers`` and ``cross_layers`` are those of the default checkpoint
    (used by :func:`layer_names_for` without loading any weights).
    """

    architecture: str  # "bridgetower" | "roberta" | "vit" | "clip" | "siglip"
    checkpoint: str | None  # None: tiny, built in code
    modalities: tuple[str, ...]
    tower_layers: int
    cross_layers: int = 0


REGISTRY: dict[str, ModelSpec] = {
    "bridgetower-base": ModelSpec("bridgetower", "BridgeTower/bridgetower-base", ("text", "vision"), 12, 6),
    "bridgetower-large": ModelSpec(
        "bridgetower", "BridgeTower/bridgetower-large-itm-mlm-itc", ("text", "vision"), 24, 6
    ),
    "roberta-base": ModelSpec("roberta", "FacebookAI/roberta-base", ("text",), 12),
    "vit-base": ModelSpec("vit", "google/vit-base-patch16-224-in21k", ("vision",), 12),
    "tiny-bridgetower": ModelSpec("bridgetower", None, ("text", "vision"), 4, 2),
    "tiny-roberta": ModelSpec("roberta", None, ("text",), 4),
    "tiny-vit": ModelSpec("vit", None, ("vision",), 4),
    "clip-vit-base-patch32": ModelSpec("clip", "openai/clip-vit-base-patch32", ("text", "vision"), 12),
    "siglip-base": ModelSpec("siglip", "google/siglip-base-patch16-224", ("text", "vision"), 12),
    "tiny-clip": ModelSpec("clip", None, ("text", "vision"), 4),
    "tiny-siglip": ModelSpec("siglip", None, ("text", "vision"), 4),
}

# Tiny sizes: hidden 64 (BridgeTower's CLIP blocks use hidden // 64 heads),
# 4 tower layers, 2 cross-modal layers, 32x32 images in 8x8 patches.
TINY_HIDDEN = 64
TINY_LAYERS = 4
TINY_CROSS_LAYERS = 2
TINY_IMAGE_SIZE = 32
TINY_PATCH_SIZE = 8
TINY_MAX_POSITIONS = 514  # RoBERTa's: 512 tokens + padding offset
TINY_DUAL_POSITIONS = {"clip": 77, "siglip": 64}  # text lengths of the real CLIP and SigLIP


class ImagePreprocessor:
    """Resize and normalise uint8 RGB images into a pixel tensor.

    The tiny models' preprocessing, built in code: bilinear (antialiased)
    resize of the whole image to ``image_size`` x ``image_size`` (aspect
    ratio not kept), scale to [0, 1], normalise with ``mean`` / ``std``.

    Parameters
    ----------
    image_size : int
    mean, std : tuple of 3 floats
    """

    def __init__(self, image_size: int, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5)):
        self.image_size = int(image_size)
        self.mean = torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1)

    def __call__(self, images: np.ndarray) -> torch.Tensor:
        """
        Parameters
        ----------
        images : uint8 array of shape (n, H, W, 3)

        Returns
        -------
        pixel_values : float32 tensor of shape (n, 3, image_size, image_size)
        """
        pixels = torch.from_numpy(np.require(images, np.uint8, ["C", "W"])).permute(0, 3, 1, 2).float() / 255.0
        if pixels.shape[-2:] != (self.image_size, self.image_size):
            pixels = torch.nn.functional.interpolate(
                pixels, size=(self.image_size, self.image_size), mode="bilinear", align_corners=False, antialias=True
            )
        return (pixels - self.mean) / self.std


def _hf_image_preprocessor(processor) -> Callable[[np.ndarray], torch.Tensor]:
    """Wrap a Hugging Face image processor as ``uint8 (n,H,W,3) -> (n,3,S,S)``."""

    def preprocess(images: np.ndarray) -> torch.Tensor:
        batch = processor(images=[np.asarray(image) for image in images], return_tensors="pt")
        return torch.as_tensor(batch["pixel_values"], dtype=torch.float32)

    return preprocess


@dataclass
class FeatureModel:
    """A loaded feature model.

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"bridgetower-base"``.
    checkpoint : str or None
        Hugging Face checkpoint, None for tiny models.
    architecture : {"bridgetower", "roberta", "vit", "clip", "siglip", "auto"}
        ``auto``: a Hugging Face text encoder loaded with ``AutoModel``.
    network : torch.nn.Module
        ``BridgeTowerModel``, ``RobertaModel``, ``ViTModel``, ``CLIPModel``,
        ``SiglipModel`` or the ``AutoModel`` of a text encoder, eval mode.
    device : torch.device
    tokenizer : TextTokenizer or None
        Present when ``"text"`` is in ``modalities``.
    image_preprocessor : callable or None
        ``uint8 (n, H, W, 3) -> float32 tensor (n, 3, S, S)``; present when
        ``"vision"`` is in ``modalities``.
    image_size : int or None
        Side of the square model input, S.
    seed : int
        Seed of the random initialisation (tiny models).
    text_token_limit : int or None
        Longest token sequence of an ``auto`` text encoder (from its tokenizer
        and position embeddings); the other architectures compute it.
    """

    name: str
    checkpoint: str | None
    architecture: str
    network: torch.nn.Module
    device: torch.device
    tokenizer: TextTokenizer | None = None
    image_preprocessor: Callable[[np.ndarray], torch.Tensor] | None = None
    image_size: int | None = None
    seed: int = 0
    text_token_limit: int | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def modalities(self) -> tuple[str, ...]:
        """Modalities this model embeds: ``("text",)``, ``("vision",)`` or both."""
        return _modalities_of(self.architecture)

    @property
    def n_tower_layers(self) -> dict[str, int]:
        """Number of transformer blocks of each unimodal tower."""
        config = self.network.config
        if self.architecture == "bridgetower":
            return {
                "text": config.text_config.num_hidden_layers,
                "vision": len(self.network.vision_model.visual.transformer.resblocks),
            }
        if self.architecture in DUAL_ENCODERS:
            return {"text": config.text_config.num_hidden_layers, "vision": config.vision_config.num_hidden_layers}
        modality = "vision" if self.architecture == "vit" else "text"
        return {modality: config.num_hidden_layers}

    @property
    def has_cls_token(self) -> bool:
        """Whether token 0 of the vision tower is a CLS token (all but SigLIP)."""
        return self.architecture != "siglip"

    @property
    def n_cross_layers(self) -> int:
        """Number of cross-modal layers (0 for unimodal models)."""
        return self.network.config.num_hidden_layers if self.architecture == "bridgetower" else 0

    @property
    def max_text_tokens(self) -> int:
        """Longest token sequence the text tower takes, special tokens included."""
        if self.text_token_limit is not None:
            return self.text_token_limit
        config = self.network.config
        if self.architecture in DUAL_ENCODERS:  # absolute positions, no padding offset
            return int(config.text_config.max_position_embeddings)
        text_config = config.text_config if self.architecture == "bridgetower" else config
        return int(text_config.max_position_embeddings) - int(text_config.pad_token_id) - 1

    def dim_of(self, modality: str) -> int:
        """Feature dimension of a modality's layers (the same for all of them).

        Parameters
        ----------
        modality : {"text", "vision"}

        Returns
        -------
        dim : int
            The width of every layer in ``layer_names(modality)``; the two
            towers of a dual encoder may differ (CLIP ViT-B/32: 512 and 768).
        """
        self._check_modality(modality)
        config = self.network.config
        if self.architecture in DUAL_ENCODERS:
            return int(getattr(config, f"{modality}_config").hidden_size)
        dims = {int(config.hidden_size)}
        if self.architecture == "bridgetower":
            dims |= {int(config.text_config.hidden_size), int(config.vision_config.hidden_size)}
        if len(dims) > 1:
            raise InputError(
                f"feature model '{self.name}'",
                f"has layers of different widths {sorted(dims)}, which one feature file cannot hold",
                "use a checkpoint whose towers and cross-modal layers have the same hidden size",
            )
        return dims.pop()

    @property
    def dim(self) -> int:
        """Feature dimension of every layer of every modality (see :meth:`dim_of`)."""
        dims = {self.dim_of(modality) for modality in self.modalities}
        if len(dims) > 1:
            raise InputError(
                f"feature model '{self.name}'",
                f"has towers of different widths {sorted(dims)}",
                "ask for one modality's width with dim_of(modality)",
            )
        return dims.pop()

    def layer_names(self, modality: str) -> list[str]:
        """Names of the layers extracted for a modality, in storage order.

        Parameters
        ----------
        modality : {"text", "vision"}

        Returns
        -------
        names : list of str
            ``text.0 .. text.T`` (+ ``cross_text.0 .. cross_text.C-1``) for
            text; ``vision.0 .. vision.V`` (+ ``cross_image.*``) for vision.
        """
        self._check_modality(modality)
        return _layer_names(modality, self.n_tower_layers[modality], self.n_cross_layers)

    def default_layer(self, modality: str) -> str:
        """Layer used downstream unless the config says otherwise.

        The middle cross-modal layer ``cross_*.{C // 2}`` for BridgeTower, the
        middle tower layer ``text.{T // 2}`` / ``vision.{V // 2}`` otherwise.
        """
        self._check_modality(modality)
        return _default_layer(modality, self.n_tower_layers[modality], self.n_cross_layers)

    def _check_modality(self, modality: str) -> None:
        if modality not in self.modalities:
            raise InputError(
                f"feature model '{self.name}'",
                f"has no {modality} modality (it embeds {', '.join(self.modalities)})",
                "use a model with that modality (bridgetower-*, clip-*, siglip-*, roberta-* or a text encoder for text, "
                "vit-* for vision)",
            )


def _layer_names(modality: str, tower_layers: int, cross_layers: int) -> list[str]:
    tower = "text" if modality == "text" else "vision"
    cross = "cross_text" if modality == "text" else "cross_image"
    return [f"{tower}.{k}" for k in range(tower_layers + 1)] + [f"{cross}.{k}" for k in range(cross_layers)]


def _default_layer(modality: str, tower_layers: int, cross_layers: int) -> str:
    if cross_layers:
        return f"{'cross_text' if modality == 'text' else 'cross_image'}.{cross_layers // 2}"
    return f"{'text' if modality == 'text' else 'vision'}.{tower_layers // 2}"


def _spec(name: str) -> ModelSpec:
    if name not in REGISTRY:
        raise InputError(
            f"feature model '{name}'",
            "is not a registered feature model",
            f"use one of {', '.join(REGISTRY)}, or give a Hugging Face text encoder under that name "
            "(config features.text_encoders)",
        )
    return REGISTRY[name]


def _check_spec_modality(name: str, spec: ModelSpec, modality: str) -> None:
    if modality not in spec.modalities:
        raise InputError(
            f"feature model '{name}'",
            f"has no {modality} modality (it embeds {', '.join(spec.modalities)})",
            "use a model with that modality (bridgetower-*, clip-*, siglip-*, roberta-* for text, vit-* for vision)",
        )


def layer_names_for(name: str, modality: str) -> list[str]:
    """Layer names a registered model's default checkpoint yields, without loading it.

    For config validation and Snakemake wildcards. A checkpoint override with
    a different depth yields the names of :meth:`FeatureModel.layer_names`.

    Parameters
    ----------
    name : str
        A key of :data:`REGISTRY`.
    modality : {"text", "vision"}
    """
    spec = _spec(name)
    _check_spec_modality(name, spec, modality)
    return _layer_names(modality, spec.tower_layers, spec.cross_layers)


def default_layer_for(name: str, modality: str) -> str:
    """Default downstream layer of a registered model, without loading it."""
    spec = _spec(name)
    _check_spec_modality(name, spec, modality)
    return _default_layer(modality, spec.tower_layers, spec.cross_layers)


def corresponding_layer(layer_name: str, modality: str) -> str:
    """Name of the layer at the same depth in the other modality's stream.

    ``cross_text.k <-> cross_image.k`` and ``text.k <-> vision.k``: the layer
    whose features a model trained on one modality is applied to.

    Parameters
    ----------
    layer_name : str
    modality : {"text", "vision"}
        Modality of the returned name.
    """
    stream, _, index = layer_name.partition(".")
    mapping = {
        "text": {"vision": "text", "text": "text", "cross_image": "cross_text", "cross_text": "cross_text"},
        "vision": {"text": "vision", "vision": "vision", "cross_text": "cross_image", "cross_image": "cross_image"},
    }
    if modality not in mapping or stream not in mapping[modality] or not index.isdigit():
        raise InputError(
            f"layer '{layer_name}'",
            "is not a layer name of the form text.K, vision.K, cross_text.K or cross_image.K",
            "use one of FeatureModel.layer_names()",
        )
    return f"{mapping[modality][stream]}.{index}"


def _modalities_of(architecture: str) -> tuple[str, ...]:
    both = ("text", "vision")
    return {"bridgetower": both, "clip": both, "siglip": both, "roberta": ("text",), "auto": ("text",), "vit": ("vision",)}[
        architecture
    ]


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """``device`` as a torch device; None picks CUDA when present, else CPU."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


@functools.lru_cache(maxsize=1)
def _tiny_tokenizer():
    return build_tiny_tokenizer()


def _tiny_text_kwargs(vocab_size: int) -> dict:
    return dict(
        vocab_size=vocab_size,
        hidden_size=TINY_HIDDEN,
        num_hidden_layers=TINY_LAYERS,
        num_attention_heads=4,
        intermediate_size=2 * TINY_HIDDEN,
        max_position_embeddings=TINY_MAX_POSITIONS,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )


def _tiny_dual_config(architecture: str, vocab_size: int):
    """Small ``CLIPConfig`` / ``SiglipConfig``: both towers 4 layers of width 64, 32x32 images in 8x8 patches.

    The text tower uses the tiny tokenizer's ids (``<s>`` 0, ``<pad>`` 1,
    ``</s>`` 2) and the real model's text length (77 for CLIP, 64 for SigLIP).
    """
    from transformers import CLIPConfig, SiglipConfig

    tower = dict(
        hidden_size=TINY_HIDDEN,
        num_hidden_layers=TINY_LAYERS,
        num_attention_heads=4,
        intermediate_size=2 * TINY_HIDDEN,
        attention_dropout=0.0,
    )
    text = dict(
        tower,
        vocab_size=vocab_size,
        max_position_embeddings=TINY_DUAL_POSITIONS[architecture],
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
    )
    vision = dict(tower, image_size=TINY_IMAGE_SIZE, patch_size=TINY_PATCH_SIZE)
    if architecture == "clip":
        return CLIPConfig(text_config=text, vision_config=vision, projection_dim=TINY_HIDDEN)
    return SiglipConfig(text_config=text, vision_config=vision)


def build_tiny_network(architecture: str, vocab_size: int, seed: int = 0) -> torch.nn.Module:
    """Randomly initialised small ``BridgeTowerModel`` / ``RobertaModel`` / ``ViTModel`` / ``CLIPModel`` / ``SiglipModel``.

    Parameters
    ----------
    architecture : {"bridgetower", "roberta", "vit", "clip", "siglip"}
    vocab_size : int
        Vocabulary size of the tokenizer (text models).
    seed : int
        ``torch.manual_seed`` before construction: same seed, same weights.
    """
    from transformers import (
        BridgeTowerConfig,
        BridgeTowerModel,
        CLIPModel,
        RobertaConfig,
        RobertaModel,
        SiglipModel,
        ViTConfig,
        ViTModel,
    )

    torch.manual_seed(seed)
    if architecture in DUAL_ENCODERS:
        model_class = CLIPModel if architecture == "clip" else SiglipModel
        return model_class(_tiny_dual_config(architecture, vocab_size))
    if architecture == "bridgetower":
        config = BridgeTowerConfig(
            text_config=_tiny_text_kwargs(vocab_size),
            vision_config=dict(
                hidden_size=TINY_HIDDEN,
                num_hidden_layers=TINY_LAYERS,
                patch_size=TINY_PATCH_SIZE,
                image_size=TINY_IMAGE_SIZE,
            ),
            hidden_size=TINY_HIDDEN,
            num_attention_heads=4,
            num_hidden_layers=TINY_CROSS_LAYERS,
        )
        return BridgeTowerModel(config)
    if architecture == "roberta":
        return RobertaModel(RobertaConfig(**_tiny_text_kwargs(vocab_size)), add_pooling_layer=False)
    if architecture == "vit":
        config = ViTConfig(
            hidden_size=TINY_HIDDEN,
            num_hidden_layers=TINY_LAYERS,
            num_attention_heads=4,
            intermediate_size=2 * TINY_HIDDEN,
            image_size=TINY_IMAGE_SIZE,
            patch_size=TINY_PATCH_SIZE,
            hidden_dropout_prob=0.0,
            attention_probs_dropout_prob=0.0,
        )
        return ViTModel(config, add_pooling_layer=False)
    raise ValueError(f"unknown architecture {architecture!r}")


def _fix_cross_layer_attention(network: torch.nn.Module) -> None:
    """Make BridgeTower's cross-modal self-attention bidirectional, whatever the backend.

    transformers 5.x builds the self-attention of ``BridgeTowerBertCrossLayer``
    with ``is_causal=True``. BridgeTower runs with eager attention (5.24 has no
    SDPA for it), which ignores the flag, so the layers are bidirectional as in
    the original model. Under SDPA the flag would make them causal whenever no
    mask is passed (the image stream always, the text stream when a batch has
    no padding), so results would depend on padding. Setting
    ``is_causal = False`` keeps the original model under any backend.
    """
    for layers in (network.cross_modal_text_layers, network.cross_modal_image_layers):
        for layer in layers:
            layer.attention.self.is_causal = False


def _prepare(network: torch.nn.Module, architecture: str, device: torch.device) -> torch.nn.Module:
    network = network.to(device=device, dtype=torch.float32).eval()
    network.requires_grad_(False)
    if architecture == "bridgetower":
        _fix_cross_layer_attention(network)
    return network


def _load_tiny(name: str, spec: ModelSpec, device: torch.device, seed: int) -> FeatureModel:
    tokenizer = _tiny_tokenizer()
    network = _prepare(build_tiny_network(spec.architecture, tokenizer.get_vocab_size(), seed), spec.architecture, device)
    has_text, has_vision = "text" in spec.modalities, "vision" in spec.modalities
    return FeatureModel(
        name=name,
        checkpoint=None,
        architecture=spec.architecture,
        network=network,
        device=device,
        # SigLIP's tokenizer has no start token; the tiny twin reads ``ids </s>`` like it.
        tokenizer=TextTokenizer.from_tokenizers(tokenizer, start_token=spec.architecture != "siglip") if has_text else None,
        image_preprocessor=ImagePreprocessor(TINY_IMAGE_SIZE) if has_vision else None,
        image_size=TINY_IMAGE_SIZE if has_vision else None,
        seed=seed,
    )


def _missing_checkpoint_error(name: str, checkpoint: str, cache_dir, error: Exception) -> InputError:
    from huggingface_hub import constants

    if os.path.isdir(checkpoint):  # a local folder that is there but does not hold a loadable model
        return InputError(
            f"feature model '{name}' (folder {checkpoint})",
            f"cannot be loaded from that folder ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})",
            "point the checkpoint at a folder with the model's config.json, weights and tokenizer files",
        )
    cache = cache_dir or constants.HF_HUB_CACHE
    return InputError(
        f"feature model '{name}' (checkpoint {checkpoint})",
        f"is not a local folder nor in the local Hugging Face cache {cache}, and models are never downloaded at run time "
        f"({type(error).__name__})",
        f"run `hf download {checkpoint}` on a machine with internet access (same HF_HOME), "
        "or set the model's checkpoint in the config to a local folder",
    )


def _missing_package_error(name: str, checkpoint: str, error: ImportError) -> InputError:
    """One line for a checkpoint whose tokenizer or processor needs a package that is not installed."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return InputError(
        f"feature model '{name}' (checkpoint {checkpoint})",
        f"needs a package that is not installed ({first})",
        "install it into this environment (SigLIP's tokenizer: `pip install sentencepiece`)",
    )


def _load_pretrained(name: str, spec: ModelSpec, checkpoint: str, device, seed: int, cache_dir) -> FeatureModel:
    from transformers import AutoImageProcessor, AutoTokenizer, BridgeTowerModel, CLIPModel, RobertaModel, SiglipModel, ViTModel

    kwargs = dict(local_files_only=True, cache_dir=cache_dir)
    try:
        if spec.architecture == "bridgetower":
            network = BridgeTowerModel.from_pretrained(checkpoint, **kwargs)
        elif spec.architecture == "roberta":
            network = RobertaModel.from_pretrained(checkpoint, add_pooling_layer=False, **kwargs)
        elif spec.architecture in DUAL_ENCODERS:
            network = (CLIPModel if spec.architecture == "clip" else SiglipModel).from_pretrained(checkpoint, **kwargs)
        else:
            network = ViTModel.from_pretrained(checkpoint, add_pooling_layer=False, **kwargs)
        tokenizer = AutoTokenizer.from_pretrained(checkpoint, **kwargs) if "text" in spec.modalities else None
        processor = AutoImageProcessor.from_pretrained(checkpoint, **kwargs) if "vision" in spec.modalities else None
    except (OSError, ValueError) as error:
        raise _missing_checkpoint_error(name, checkpoint, cache_dir, error) from error
    except ImportError as error:  # e.g. SigLIP's sentencepiece tokenizer without the sentencepiece package
        raise _missing_package_error(name, checkpoint, error) from error

    network = _prepare(network, spec.architecture, device)
    image_size = None
    if processor is not None:
        has_towers = spec.architecture == "bridgetower" or spec.architecture in DUAL_ENCODERS
        vision_config = network.config.vision_config if has_towers else network.config
        image_size = int(vision_config.image_size)
    return FeatureModel(
        name=name,
        checkpoint=checkpoint,
        architecture=spec.architecture,
        network=network,
        device=device,
        tokenizer=TextTokenizer.from_hf(tokenizer) if tokenizer is not None else None,
        image_preprocessor=_hf_image_preprocessor(processor) if processor is not None else None,
        image_size=image_size,
        seed=seed,
    )


def _text_token_limit(config, hf_tokenizer) -> int:
    """Longest sequence an ``AutoModel`` text encoder takes: its tokenizer's limit, else its position table.

    RoBERTa-style position tables (``model_type`` containing "roberta",
    CamemBERT) reserve ``pad_token_id + 1`` positions; BERT-style ones do not.
    """
    limits = []
    declared = getattr(hf_tokenizer, "model_max_length", None)
    if declared is not None and 0 < declared < 100_000:  # tokenizers without a limit declare ~1e30
        limits.append(int(declared))
    positions = getattr(config, "max_position_embeddings", None)
    if positions:
        model_type = str(getattr(config, "model_type", ""))
        offset = int(config.pad_token_id or 0) + 1 if ("roberta" in model_type or model_type == "camembert") else 0
        limits.append(int(positions) - offset)
    return min(limits) if limits else 512


def load_text_encoder(
    checkpoint: str | os.PathLike,
    name: str | None = None,
    device: str | torch.device | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> FeatureModel:
    """Load any Hugging Face text encoder as a text feature model, offline.

    The network is ``AutoModel.from_pretrained(checkpoint)`` (the encoder of
    an encoder-decoder model), read with ``output_hidden_states``; the
    tokenizer is the checkpoint's own (``AutoTokenizer``), whose start and end
    tokens (``[CLS]`` / ``[SEP]`` for BERT-style, ``<s>`` / ``</s>`` for
    RoBERTa-style vocabularies) wrap every window. Words are read at their
    last sub-token and layers are named ``text.0 .. text.T`` as for RoBERTa.

    Parameters
    ----------
    checkpoint : str or path
        A local folder (``config.json``, weights, tokenizer files) or the name
        of a checkpoint in the local Hugging Face cache.
    name : str, optional
        The model's name in feature files and messages (config key of
        ``features.text_encoders``); default: the folder's or checkpoint's
        last path component.
    device : str or torch.device, optional
        Default: CUDA when available, else CPU.
    cache_dir : path, optional
        Hugging Face cache to read from (default: the user's cache, HF_HOME).

    Returns
    -------
    model : FeatureModel
        ``architecture == "auto"``, modality ``("text",)``.

    Raises
    ------
    InputError
        The checkpoint is neither a loadable folder nor in the local cache
        (the message gives the ``hf download`` command), or its tokenizer has
        no end token.
    """
    from transformers import AutoModel, AutoTokenizer

    checkpoint = os.fspath(checkpoint)
    name = name or os.path.basename(os.path.normpath(checkpoint))
    kwargs = dict(local_files_only=True, cache_dir=cache_dir)
    try:
        network = AutoModel.from_pretrained(checkpoint, **kwargs)
        hf_tokenizer = AutoTokenizer.from_pretrained(checkpoint, **kwargs)
    except (OSError, ValueError) as error:
        raise _missing_checkpoint_error(name, checkpoint, cache_dir, error) from error
    except ImportError as error:  # e.g. SigLIP's sentencepiece tokenizer without the sentencepiece package
        raise _missing_package_error(name, checkpoint, error) from error
    if getattr(network.config, "is_encoder_decoder", False):
        network = network.get_encoder()
    try:
        tokenizer = TextTokenizer.from_hf(hf_tokenizer)
    except ValueError as error:
        raise InputError(f"feature model '{name}' (checkpoint {checkpoint})", str(error), "use a text encoder (BERT-, RoBERTa-style)") from error
    device = resolve_device(device)
    return FeatureModel(
        name=name,
        checkpoint=checkpoint,
        architecture="auto",
        network=_prepare(network, "auto", device),
        device=device,
        tokenizer=tokenizer,
        text_token_limit=_text_token_limit(network.config, hf_tokenizer),
    )


def load_feature_model(
    name: str,
    checkpoint: str | None = None,
    device: str | torch.device | None = None,
    seed: int = 0,
    cache_dir: str | os.PathLike | None = None,
) -> FeatureModel:
    """Load a registered feature model, offline.

    Parameters
    ----------
    name : str
        A key of :data:`REGISTRY` (see the module docstring), or any other
        name for a Hugging Face text encoder, whose ``checkpoint`` is then
        required (:func:`load_text_encoder`; config ``features.text_encoders``).
    checkpoint : str, optional
        Hugging Face checkpoint (or local folder) replacing the name's default
        (config key); ignored by tiny models.
    device : str or torch.device, optional
        Default: CUDA when available, else CPU.
    seed : int
        Seed of the tiny models' random initialisation.
    cache_dir : path, optional
        Hugging Face cache to read from (default: the user's cache, HF_HOME).

    Returns
    -------
    model : FeatureModel

    Raises
    ------
    InputError
        Unknown name without a checkpoint, or a real checkpoint missing from
        the local cache (the message gives the ``hf download`` command).
    """
    if name not in REGISTRY and checkpoint:
        return load_text_encoder(checkpoint, name=name, device=device, cache_dir=cache_dir)
    spec = _spec(name)
    device = resolve_device(device)
    if spec.checkpoint is None:
        return _load_tiny(name, spec, device, seed)
    return _load_pretrained(name, spec, checkpoint or spec.checkpoint, device, seed, cache_dir)
