"""Registry of feature models: BridgeTower, RoBERTa, ViT and their tiny twins.

``load_feature_model(name)`` returns a :class:`FeatureModel`: the torch
network in eval mode on its device, a tokenizer (text models), an image
preprocessor (vision models) and the names of the layers that extraction
returns.

Registered names
----------------
=====================  =============  ==========================================
name                   modalities     default checkpoint
=====================  =============  ==========================================
``bridgetower-base``   text, vision   ``BridgeTower/bridgetower-base``
``bridgetower-large``  text, vision   ``BridgeTower/bridgetower-large-itm-mlm-itc``
``roberta-base``       text           ``FacebookAI/roberta-base``
``vit-base``           vision         ``google/vit-base-patch16-224-in21k``
``tiny-bridgetower``   text, vision   none: random init from a small config
``tiny-roberta``       text           none: random init from a small config
``tiny-vit``           vision         none: random init from a small config
=====================  =============  ==========================================

Real checkpoints load with ``from_pretrained(local_files_only=True)``: the
project never downloads at run time. A missing checkpoint raises
:class:`~crossmodal.errors.InputError` with the ``hf download`` command
that fills the cache.

Layer names
-----------
Index 0 of each unimodal tower is its embedding output; index ``k`` is the
residual stream after block ``k`` (before any final layer norm), as in Hugging
Face's ``output_hidden_states``:

- ``text.0 .. text.T``  text tower (RoBERTa / BridgeTower text encoder),
- ``vision.0 .. vision.V``  vision tower (ViT / BridgeTower's CLIP encoder;
  ``vision.0`` is the patch + position embedding, after ``ln_pre`` for
  BridgeTower),
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


@dataclass(frozen=True)
class ModelSpec:
    """What the registry knows about a name.

    ``tower_layers`` and ``cross_layers`` are those of the default checkpoint
    (used by :func:`layer_names_for` without loading any weights).
    """

    architecture: str  # "bridgetower" | "roberta" | "vit"
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
}

# Tiny sizes: hidden 64 (BridgeTower's CLIP blocks use hidden // 64 heads),
# 4 tower layers, 2 cross-modal layers, 32x32 images in 8x8 patches.
TINY_HIDDEN = 64
TINY_LAYERS = 4
TINY_CROSS_LAYERS = 2
TINY_IMAGE_SIZE = 32
TINY_PATCH_SIZE = 8
TINY_MAX_POSITIONS = 514  # RoBERTa's: 512 tokens + padding offset


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
    architecture : {"bridgetower", "roberta", "vit"}
    network : torch.nn.Module
        ``BridgeTowerModel``, ``RobertaModel`` or ``ViTModel``, eval mode.
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
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def modalities(self) -> tuple[str, ...]:
        """Modalities this model embeds: ``("text",)``, ``("vision",)`` or both."""
        return REGISTRY[self.name].modalities if self.name in REGISTRY else _modalities_of(self.architecture)

    @property
    def n_tower_layers(self) -> dict[str, int]:
        """Number of transformer blocks of each unimodal tower."""
        config = self.network.config
        if self.architecture == "bridgetower":
            return {
                "text": config.text_config.num_hidden_layers,
                "vision": len(self.network.vision_model.visual.transformer.resblocks),
            }
        modality = "text" if self.architecture == "roberta" else "vision"
        return {modality: config.num_hidden_layers}

    @property
    def n_cross_layers(self) -> int:
        """Number of cross-modal layers (0 for unimodal models)."""
        return self.network.config.num_hidden_layers if self.architecture == "bridgetower" else 0

    @property
    def max_text_tokens(self) -> int:
        """Longest token sequence the text tower takes, special tokens included."""
        config = self.network.config
        text_config = config.text_config if self.architecture == "bridgetower" else config
        return int(text_config.max_position_embeddings) - int(text_config.pad_token_id) - 1

    @property
    def dim(self) -> int:
        """Feature dimension (the same for every layer)."""
        config = self.network.config
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
                "use a model with that modality (bridgetower-*, roberta-* for text, vit-* for vision)",
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
            f"use one of {', '.join(REGISTRY)}",
        )
    return REGISTRY[name]


def _check_spec_modality(name: str, spec: ModelSpec, modality: str) -> None:
    if modality not in spec.modalities:
        raise InputError(
            f"feature model '{name}'",
            f"has no {modality} modality (it embeds {', '.join(spec.modalities)})",
            "use a model with that modality (bridgetower-*, roberta-* for text, vit-* for vision)",
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
    return {"bridgetower": ("text", "vision"), "roberta": ("text",), "vit": ("vision",)}[architecture]


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


def build_tiny_network(architecture: str, vocab_size: int, seed: int = 0) -> torch.nn.Module:
    """Randomly initialised small ``BridgeTowerModel`` / ``RobertaModel`` / ``ViTModel``.

    Parameters
    ----------
    architecture : {"bridgetower", "roberta", "vit"}
    vocab_size : int
        Vocabulary size of the tokenizer (text models).
    seed : int
        ``torch.manual_seed`` before construction: same seed, same weights.
    """
    from transformers import (
        BridgeTowerConfig,
        BridgeTowerModel,
        RobertaConfig,
        RobertaModel,
        ViTConfig,
        ViTModel,
    )

    torch.manual_seed(seed)
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
        tokenizer=TextTokenizer.from_tokenizers(tokenizer) if has_text else None,
        image_preprocessor=ImagePreprocessor(TINY_IMAGE_SIZE) if has_vision else None,
        image_size=TINY_IMAGE_SIZE if has_vision else None,
        seed=seed,
    )


def _missing_checkpoint_error(name: str, checkpoint: str, cache_dir, error: Exception) -> InputError:
    from huggingface_hub import constants

    cache = cache_dir or constants.HF_HUB_CACHE
    return InputError(
        f"feature model '{name}' (checkpoint {checkpoint})",
        f"is not in the local Hugging Face cache {cache} and models are never downloaded at run time "
        f"({type(error).__name__})",
        f"run `hf download {checkpoint}` on a machine with internet access (same HF_HOME), "
        "or set the model's checkpoint in the config to a local folder",
    )


def _load_pretrained(name: str, spec: ModelSpec, checkpoint: str, device, seed: int, cache_dir) -> FeatureModel:
    from transformers import AutoImageProcessor, AutoTokenizer, BridgeTowerModel, RobertaModel, ViTModel

    kwargs = dict(local_files_only=True, cache_dir=cache_dir)
    try:
        if spec.architecture == "bridgetower":
            network = BridgeTowerModel.from_pretrained(checkpoint, **kwargs)
        elif spec.architecture == "roberta":
            network = RobertaModel.from_pretrained(checkpoint, add_pooling_layer=False, **kwargs)
        else:
            network = ViTModel.from_pretrained(checkpoint, add_pooling_layer=False, **kwargs)
        tokenizer = AutoTokenizer.from_pretrained(checkpoint, **kwargs) if "text" in spec.modalities else None
        processor = AutoImageProcessor.from_pretrained(checkpoint, **kwargs) if "vision" in spec.modalities else None
    except (OSError, ValueError) as error:
        raise _missing_checkpoint_error(name, checkpoint, cache_dir, error) from error

    network = _prepare(network, spec.architecture, device)
    image_size = None
    if processor is not None:
        vision_config = network.config.vision_config if spec.architecture == "bridgetower" else network.config
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
        A key of :data:`REGISTRY` (see the module docstring).
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
        Unknown name, or a real checkpoint missing from the local cache (the
        message gives the ``hf download`` command).
    """
    spec = _spec(name)
    device = resolve_device(device)
    if spec.checkpoint is None:
        return _load_tiny(name, spec, device, seed)
    return _load_pretrained(name, spec, checkpoint or spec.checkpoint, device, seed, cache_dir)
