"""Rule extract_pair_features: caption or image features of one split of the pairs."""

import numpy as np
import torch

from crossmodal.data import load_karpathy_pairs
from crossmodal.data.fingerprint import pairs_fingerprint
from crossmodal.features import load_feature_model, write_feature_file
from crossmodal.features.text import extract_caption_features, extract_sentence_features
from crossmodal.features.vision import extract_image_features
from crossmodal.logs import setup_logging

log = setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)  # more threads than cores slows small matrix products badly
settings = snakemake.params.settings
name, checkpoint = snakemake.wildcards.feature_model, snakemake.params.checkpoint or None
model = load_feature_model(name, checkpoint, device=None if settings["device"] == "auto" else settings["device"], seed=settings["seed"])
pairs = load_karpathy_pairs(snakemake.params.root).split(snakemake.wildcards.split)
if snakemake.wildcards.kind == "captions":
    if settings["text"]["caption_pooling"] == "words":
        features = extract_caption_features(
            model, pairs.caption_words, context_words=settings["text"]["context_words"], batch_size=settings["batch_size"], progress=True,
        )
    else:
        features = extract_sentence_features(
            model, pairs.captions, batch_size=settings["batch_size"], pooling=settings["text"]["caption_pooling"], progress=True,
        )
    layers, words = model.layer_names("text"), pairs.captions
else:
    features = extract_image_features(model, pairs.image_paths, pooling=settings["vision"]["pooling"], batch_size=settings["batch_size"], progress=True)
    layers, words = model.layer_names("vision"), None
log.info("%s %s: %d items, model %s", snakemake.wildcards.split, snakemake.wildcards.kind, features.shape[1], name)
write_feature_file(
    snakemake.output[0], features, np.arange(features.shape[1], dtype=float), layers, name, checkpoint, words=words,
    attrs={"split": snakemake.wildcards.split, "kind": snakemake.wildcards.kind, "pairs_fingerprint": pairs_fingerprint(pairs)},
)
