"""Rule extract_movie_features: every layer's features of the sampled frames of one run."""

import torch
from crossmodal.data import load_stimulus
from crossmodal.features import load_feature_model, stimulus_identity, write_feature_file
from crossmodal.features.vision import extract_frame_features, frame_times, sample_frame_indices
from crossmodal.logs import setup_logging

log = setup_logging(snakemake.log[0])
torch.set_num_threads(snakemake.threads)  # more threads than cores slows small matrix products badly
settings = snakemake.params.settings
name, checkpoint = snakemake.wildcards.feature_model, snakemake.params.checkpoint or None
model = load_feature_model(name, checkpoint, device=None if settings["device"] == "auto" else settings["device"], seed=settings["seed"])
frames = load_stimulus(snakemake.params.section, "movie", snakemake.wildcards.run)
indices = sample_frame_indices(frames.n_frames, frames.fps, settings["vision"]["frames_per_second"])
log.info("%s: %d of %d frames (%s fps) from %s, model %s on %s", frames.name, len(indices), frames.n_frames, frames.fps, frames.source, name, model.device)
with frames.open() as frame_data:
    features = extract_frame_features(
        model, frame_data, indices, pooling=settings["vision"]["pooling"], batch_size=settings["batch_size"],
        progress=True, source=str(frames.source),
    )
write_feature_file(
    snakemake.output[0], features, frame_times(indices, frames.fps), model.layer_names("vision"), name, checkpoint,
    frame_indices=indices,
    attrs={"pooling": settings["vision"]["pooling"], "source_fps": frames.fps, **stimulus_identity(frames.name, "movie", frames)},
)
log.info("wrote %s: features %s", snakemake.output[0], features.shape)
