"""Rule extract_story_features: every layer's features of every word of every story, one feature model."""

from pathlib import Path

import torch
from crossmodal.data import load_stimulus
from crossmodal.features import load_feature_model, stimulus_identity, write_feature_file
from crossmodal.features.noise import corrupt_words, parse_feature_key
from crossmodal.features.text import extract_word_features
from crossmodal.config import torch_device
from crossmodal.logs import setup_logging

log = setup_logging(snakemake.log[0])
torch.set_num_threads(1)  # one thread: the same numbers whatever --cores is, and no slow oversubscription
execution = snakemake.config["features"]  # device and batch size change numbers only by float32 rounding: not params
reading = snakemake.params.reading
key, checkpoint = snakemake.wildcards.feature_model, snakemake.params.checkpoint or None
name, word_noise, word_noise_seed = parse_feature_key(key)  # word noise: a validation knob (models.<set>.word_noise)
model = load_feature_model(name, checkpoint, device=torch_device(execution["device"]), seed=reading["seed"])
for output in snakemake.output:
    run = Path(output).stem
    words = load_stimulus(snakemake.params.source, "story", run)
    log.info("%s: %d words from %s, model %s on %s", run, len(words), words.source, name, model.device)
    read = corrupt_words(words.words, word_noise, word_noise_seed, run)  # the words themselves unless word_noise > 0
    features = extract_word_features(
        model, read, context_words=reading["context_words"], batch_size=execution["batch_size"],
        progress=True, source=str(words.source),
    )
    write_feature_file(
        output, features, words.times, model.layer_names("text"), name, checkpoint, words=list(words.words),
        attrs={"context_words": reading["context_words"], "word_noise": word_noise, "word_noise_seed": word_noise_seed,
               **stimulus_identity(run, "story", words)},
    )
    log.info("wrote %s: features %s", output, features.shape)
