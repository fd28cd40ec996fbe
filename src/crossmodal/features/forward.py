"""All-layer forward passes of the feature models, with BridgeTower's fixed partners.

RoBERTa, ViT and any Hugging Face text encoder (architecture ``auto``) run as
they are with ``output_hidden_states``; the dual encoders (CLIP, SigLIP) run
one tower, ``text_model`` or ``vision_model``, the other is never touched.

``BridgeTowerModel.forward`` needs both a text and an image, and recomputes
both towers every call. Here its forward is split into the pieces it is made
of (same submodules, same order, same masks, see
``transformers/models/bridgetower/modeling_bridgetower.py``):

1. the text tower (embeddings + ``text_model.encoder.layer``),
2. the vision tower (``vision_model.visual``: ``forward_pre`` + ``resblocks``),
3. the *bridge inputs* of each cross-modal layer: tower states of the top
   ``C`` tower layers, projected (``cross_modal_*_transform``) plus the
   token-type embedding (text 0, image 1),
4. the cross-modal layers with their link towers.

Pieces 1-3 of the fixed partner (a uniform grey image for text stimuli, an
empty caption ``<s></s>`` for images) depend on nothing else, so they are
computed once per model and cached; only piece 4 runs per batch, with the
cached partner expanded along the batch. ``tests/test_features_text.py``
checks the result against ``BridgeTowerModel.forward``.

Every function returns a list of ``(batch, seq, dim)`` tensors in the order
of :meth:`FeatureModel.layer_names`.
"""

from __future__ import annotations

import numpy as np
import torch

from crossmodal.features.models import DUAL_ENCODERS, FeatureModel

GREY_LEVEL = 128  # the text stimuli's image partner: every pixel (128, 128, 128)


def _split_index(network) -> int:
    """Number of tower layers run before the first cross-modal layer."""
    return len(network.text_model.encoder.layer) - network.config.num_hidden_layers + 1


def _text_mask(network, embeddings: torch.Tensor, attention_mask: torch.Tensor):
    from transformers.masking_utils import create_bidirectional_mask

    # As BridgeTowerModel.forward: the mask helper is given a query length of 1.
    return create_bidirectional_mask(
        config=network.config, inputs_embeds=embeddings[:, 0:1, :], attention_mask=attention_mask
    )


def bridgetower_text_tower(network, input_ids: torch.Tensor, attention_mask: torch.Tensor):
    """Text tower states of BridgeTower.

    Returns
    -------
    states : list of (batch, seq, dim) tensors
        Embeddings, then the output of each text layer (``T + 1`` tensors).
    mask : tensor or None
        The extended attention mask the cross-modal layers use.
    """
    hidden = network.text_model.embeddings(input_ids=input_ids)
    mask = _text_mask(network, hidden, attention_mask)
    states = [hidden]
    for layer in network.text_model.encoder.layer:
        hidden = layer(hidden, mask)
        states.append(hidden)
    return states, mask


def bridgetower_vision_tower(network, pixel_values: torch.Tensor) -> list[torch.Tensor]:
    """Vision tower states of BridgeTower, ``(batch, tokens, dim)``, ``V + 1`` tensors.

    Residual-stream states (before ``ln_post``), batch first.
    """
    visual = network.vision_model.visual
    hidden = visual.forward_pre(pixel_values.type(network.vision_model.dtype))  # (tokens, batch, dim)
    states = [hidden]
    for block in visual.transformer.resblocks:
        hidden = block(hidden)
        states.append(hidden)
    return [state.permute(1, 0, 2) for state in states]


def _transform(modules, index: int, hidden: torch.Tensor, shared: bool) -> torch.Tensor:
    return modules(hidden) if shared else modules[index](hidden)


def bridgetower_text_bridges(network, text_states: list[torch.Tensor]) -> list[torch.Tensor]:
    """Inputs of the ``C`` cross-modal layers from the text side, ``(batch, seq, dim)``."""
    split, shared = _split_index(network), network.config.share_cross_modal_transformer_layers
    token_type = network.token_type_embeddings(torch.zeros(1, dtype=torch.long, device=text_states[0].device))
    bridges = []
    for j in range(network.config.num_hidden_layers):
        projected = _transform(network.cross_modal_text_transform, j, text_states[split + j], shared) + token_type
        bridges.append(network.cross_modal_text_layernorm(projected) if j == 0 else projected)
    return bridges


def bridgetower_image_bridges(network, vision_states: list[torch.Tensor]) -> list[torch.Tensor]:
    """Inputs of the ``C`` cross-modal layers from the image side, ``(batch, tokens, dim)``."""
    split, shared = _split_index(network), network.config.share_cross_modal_transformer_layers
    visual = network.vision_model.visual
    token_type = network.token_type_embeddings(torch.ones(1, dtype=torch.long, device=vision_states[0].device))
    bridges = []
    for j in range(network.config.num_hidden_layers):
        with_ln = visual.forward_post(vision_states[split + j].permute(1, 0, 2))  # forward_post wants (tokens, batch)
        projected = _transform(network.cross_modal_image_transform, j, with_ln, shared) + token_type
        bridges.append(network.cross_modal_image_layernorm(projected) if j == 0 else projected)
    return bridges


def _link(towers, index: int, shared: bool):
    return towers if shared else towers[index]


def bridgetower_cross_layers(
    network,
    text_bridges: list[torch.Tensor],
    image_bridges: list[torch.Tensor],
    text_mask,
    need: str = "both",
) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Run BridgeTower's cross-modal layers.

    Parameters
    ----------
    text_bridges, image_bridges : lists of C tensors
        From :func:`bridgetower_text_bridges` / :func:`bridgetower_image_bridges`,
        same batch size.
    text_mask : tensor or None
        Extended text attention mask from :func:`bridgetower_text_tower`.
    need : {"both", "text", "image"}
        Which stream's outputs are wanted; the last layer of the other stream
        is skipped (nothing downstream of it is returned).

    Returns
    -------
    cross_text, cross_image : lists of ``(batch, seq, dim)`` tensors
        Outputs of each cross-modal layer (the unneeded list may be short).
    """
    shared_links = network.config.share_link_tower_layers
    n_cross = network.config.num_hidden_layers
    text_layers, image_layers = network.cross_modal_text_layers, network.cross_modal_image_layers
    cross_text, cross_image = [], []
    text_in, image_in = text_bridges[0], image_bridges[0]
    for j in range(n_cross):
        if j > 0:
            text_in = _link(network.cross_modal_text_link_tower, j - 1, shared_links)(
                text_bridges[j], cross_text[-1], text_mask
            )
            image_in = _link(network.cross_modal_image_link_tower, j - 1, shared_links)(
                image_bridges[j], cross_image[-1], None
            )
        last = j == n_cross - 1
        if not (last and need == "image"):
            cross_text.append(text_layers[j](text_in, image_in, attention_mask=text_mask)[0])
        if not (last and need == "text"):
            cross_image.append(image_layers[j](image_in, text_in, encoder_attention_mask=text_mask)[0])
    return cross_text, cross_image


def grey_image(model: FeatureModel) -> np.ndarray:
    """The fixed image partner of text stimuli: uint8 (1, S, S, 3), every pixel 128."""
    return np.full((1, model.image_size, model.image_size, 3), GREY_LEVEL, dtype=np.uint8)


def _partner_image_bridges(model: FeatureModel) -> list[torch.Tensor]:
    """Cached image-side bridge inputs of the grey image, batch 1."""
    if "grey_image_bridges" not in model._cache:
        pixels = model.image_preprocessor(grey_image(model)).to(model.device)
        with torch.inference_mode():
            states = bridgetower_vision_tower(model.network, pixels)
            model._cache["grey_image_bridges"] = bridgetower_image_bridges(model.network, states)
    return model._cache["grey_image_bridges"]


def _partner_text(model: FeatureModel):
    """Cached text-side bridge inputs and mask of the empty caption ``<s></s>``, batch 1."""
    if "empty_caption" not in model._cache:
        tokenizer = model.tokenizer
        input_ids = torch.tensor([[tokenizer.bos_id, tokenizer.eos_id]], device=model.device)
        with torch.inference_mode():
            states, _ = bridgetower_text_tower(model.network, input_ids, torch.ones_like(input_ids))
            model._cache["empty_caption"] = (bridgetower_text_bridges(model.network, states), input_ids.shape[1])
    return model._cache["empty_caption"]


def _expand(tensors: list[torch.Tensor], batch: int) -> list[torch.Tensor]:
    return [tensor.expand(batch, -1, -1) for tensor in tensors]


def text_hidden_states(model: FeatureModel, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> list[torch.Tensor]:
    """Hidden states of every text layer, in ``model.layer_names("text")`` order.

    Parameters
    ----------
    input_ids, attention_mask : long tensors of shape (batch, seq)
        Right-padded token ids with ``<s>`` / ``</s>``, and 1 for real tokens.

    Returns
    -------
    states : list of (batch, seq, dim) tensors
    """
    network = model.network
    if model.architecture in ("roberta", "auto"):
        output = network(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        return list(output.hidden_states)
    if model.architecture in DUAL_ENCODERS:  # the text tower alone (CLIP's is causal, SigLIP's bidirectional)
        output = network.text_model(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        return list(output.hidden_states)
    if model.architecture != "bridgetower":
        raise ValueError(f"{model.name} has no text tower")
    text_states, mask = bridgetower_text_tower(network, input_ids, attention_mask)
    image_bridges = _expand(_partner_image_bridges(model), input_ids.shape[0])
    cross_text, _ = bridgetower_cross_layers(
        network, bridgetower_text_bridges(network, text_states), image_bridges, mask, need="text"
    )
    return text_states + cross_text


def vision_hidden_states(model: FeatureModel, pixel_values: torch.Tensor) -> list[torch.Tensor]:
    """Hidden states of every vision layer, in ``model.layer_names("vision")`` order.

    Parameters
    ----------
    pixel_values : float tensor of shape (batch, 3, S, S)

    Returns
    -------
    states : list of (batch, tokens, dim) tensors; token 0 is the CLS token
        (SigLIP has none: every token is a patch, ``model.has_cls_token``).
    """
    network = model.network
    if model.architecture == "vit":
        return list(network(pixel_values=pixel_values, output_hidden_states=True).hidden_states)
    if model.architecture in DUAL_ENCODERS:  # the vision tower alone
        return list(network.vision_model(pixel_values=pixel_values, output_hidden_states=True).hidden_states)
    if model.architecture != "bridgetower":
        raise ValueError(f"{model.name} has no vision tower")
    vision_states = bridgetower_vision_tower(network, pixel_values)
    text_bridges, n_tokens = _partner_text(model)
    batch = pixel_values.shape[0]
    text_mask_2d = torch.ones((batch, n_tokens), dtype=torch.long, device=pixel_values.device)
    text_bridges = _expand(text_bridges, batch)
    text_mask = _text_mask(network, text_bridges[0], text_mask_2d)
    _, cross_image = bridgetower_cross_layers(
        network, text_bridges, bridgetower_image_bridges(network, vision_states), text_mask, need="image"
    )
    return vision_states + cross_image
