"""Rule extract_movie_features: every layer's features of the sampled frames of every movie run, one feature model."""

from pathlib import Path

import torch
from crossmodal.data import load_stimulus
from crossmodal.features import load_feature_model, stimulus_identity, write_feature_file
from crossmodal.features.vision import extract_frame_features, frame_times, sample_frame_indices
from crossmodal.config import torch_device
from crossmodal.logs import setup_logging

log = setup_logging(snakemake.log[0])
torch.set_num_threads(1)  # one thread: the same numbers whatever --cores is, and no slow oversubscription
execution = snakemake.config["features"]  # device and batch size change numbers only by float32 rounding: not params
reading = snakemake.params.reading
name, checkpoint = snakemake.wildcards.feature_model, snakemake.params.checkpoint or None
model = load_feature_model(name, checkpoint, device=torch_device(execution["device"]), seed=reading["seed"])
for output in snakemake.output:
    frames = load_stimulus(snakemake.params.source, "movie", Path(output).stem)
    indices = sample_frame_indices(frames.n_frames, frames.fps, reading["frames_per_second"])
    log.info("%s: %d of %d frames (%s fps) from %s, model %s on %s", frames.name, len(indices), frames.n_frames, frames.fps, frames.source, name, model.device)
    with frames.open() as frame_data:
        features = extract_frame_features(
            model, frame_data, indices, pooling=reading["pooling"], batch_size=execution["batch_size"], progress=True, source=str(frames.source),
        )
    write_feature_file(
        output, features, frame_times(indices, frames.fps), model.layer_names("vision"), name, checkpoint, frame_indices=indices,
        attrs={"pooling": reading["pooling"], "source_fps": frames.fps, **stimulus_identity(frames.name, "movie", frames)},
    )
    log.info("wrote %s: features %s", output, features.shape)
