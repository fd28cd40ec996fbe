"""Rule extract_story_features: every layer's features of every word of one story."""

import torch
from crossmodal.data import load_stimulus
from crossmodal.features import load_feature_model, stimulus_identity, write_feature_file
from crossmodal.features.text import extract_word_features
from crossmodal.logs import setup_logging

log = setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)  # more threads than cores slows small matrix products badly
settings = snakemake.params.settings
name, checkpoint = snakemake.wildcards.feature_model, snakemake.params.checkpoint or None
model = load_feature_model(name, checkpoint, device=None if settings["device"] == "auto" else settings["device"], seed=settings["seed"])
words = load_stimulus(snakemake.params.section, "story", snakemake.wildcards.run)
log.info("%s: %d words from %s, model %s on %s", snakemake.wildcards.run, len(words), words.source, name, model.device)
features = extract_word_features(
    model, list(words.words), context_words=settings["text"]["context_words"], batch_size=settings["batch_size"],
    progress=True, source=str(words.source),
)
write_feature_file(
    snakemake.output[0], features, words.times, model.layer_names("text"), name, checkpoint,
    words=list(words.words),
    attrs={"context_words": settings["text"]["context_words"], **stimulus_identity(snakemake.wildcards.run, "story", words)},
)
log.info("wrote %s: features %s", snakemake.output[0], features.shape)
