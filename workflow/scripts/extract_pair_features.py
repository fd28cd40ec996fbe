"""Rule extract_pair_features: caption or image features of the training and test pairs, one feature model."""

from pathlib import Path

import numpy as np
import torch

from crossmodal.data import load_karpathy_pairs
from crossmodal.data.fingerprint import pairs_fingerprint
from crossmodal.features import load_feature_model, write_feature_file
from crossmodal.features.noise import corrupt_captions, parse_feature_key
from crossmodal.features.text import extract_caption_features, extract_sentence_features
from crossmodal.features.vision import extract_image_features
from crossmodal.config import torch_device
from crossmodal.logs import setup_logging

log = setup_logging(snakemake.log[0])
torch.set_num_threads(1)  # one thread: the same numbers whatever --cores is, and no slow oversubscription
execution = snakemake.config["features"]  # device and batch size change numbers only by float32 rounding: not params
reading, kind = snakemake.params.reading, snakemake.wildcards.kind
key, checkpoint = snakemake.wildcards.feature_model, snakemake.params.checkpoint or None
name, word_noise, word_noise_seed = parse_feature_key(key)  # word noise: a validation knob (models.<set>.word_noise)
model = load_feature_model(name, checkpoint, device=torch_device(execution["device"]), seed=reading["seed"])
all_pairs = load_karpathy_pairs(snakemake.params.root)
for output in snakemake.output:
    split = Path(output).stem.rsplit("_", 1)[0]
    pairs = all_pairs.split(split)
    attrs = {"split": split, "kind": kind, "pairs_fingerprint": pairs_fingerprint(pairs), **reading}
    if kind == "images":
        features = extract_image_features(model, pairs.image_paths, pooling=reading["pooling"], batch_size=execution["batch_size"], progress=True)
        layers, words = model.layer_names("vision"), None
    else:
        caption_words = corrupt_captions(pairs.caption_words, word_noise, word_noise_seed, f"{split}_captions")
        attrs.update(word_noise=word_noise, word_noise_seed=word_noise_seed)
        if reading["caption_pooling"] == "words":
            features = extract_caption_features(
                model, caption_words, context_words=reading["context_words"], batch_size=execution["batch_size"], progress=True,
            )
        else:
            sentences = pairs.captions if word_noise == 0 else [" ".join(words) for words in caption_words]
            features = extract_sentence_features(
                model, sentences, batch_size=execution["batch_size"], pooling=reading["caption_pooling"], progress=True,
            )
        layers, words = model.layer_names("text"), pairs.captions
    log.info("%s %s: %d items, model %s", split, kind, features.shape[1], key)
    write_feature_file(output, features, np.arange(features.shape[1], dtype=float), layers, name, checkpoint, words=words, attrs=attrs)
