"""Rule pca: PCA of the story-model weights of multimodal voxels, with words, images and sharedness per PC."""

import numpy as np
import pandas as pd

from crossmodal.data import load_karpathy_pairs, load_stimulus
from crossmodal.features.grid import stream_layer
from crossmodal.features.storage import feature_files_by_stimulus
from crossmodal.h5io import files_by_attribute, write_table
from crossmodal.logs import setup_logging
from crossmodal.pca import save_pca, top_bottom
from crossmodal.pca.analysis import PCASettings, analyse, component_table, frame_thumbnails, pair_thumbnails, ranked_table

log = setup_logging(snakemake.log[0])
settings = PCASettings.from_config({**snakemake.params.settings, "alignment": snakemake.params.alignment})
model, layer = snakemake.wildcards.model, snakemake.wildcards.layer
inputs = snakemake.input
pairs = load_karpathy_pairs(snakemake.params.pairs_root, check_images=False).split("test")
movie_feature_paths = feature_files_by_stimulus(inputs.movie_features)  # keyed by the run name stored in each file
movie_runs = list(movie_feature_paths)
pca, pooled, arrays, shared = analyse(
    story_fits=files_by_attribute(inputs.story_fits), scores=files_by_attribute(inputs.scores), designs=files_by_attribute(inputs.designs),
    story_feature_paths=list(feature_files_by_stimulus(inputs.story_features).values()), movie_feature_paths=movie_feature_paths,
    test_captions=inputs.test_captions, test_images=inputs.test_images, caption_image=pairs.caption_image,
    maps=inputs.get("maps") if settings.alignment == "linear" else None,
    text_layer=stream_layer(layer, "story"), image_layer=stream_layer(layer, "movie"), settings=settings,
)
identity = {"model": model, "layer": layer}
selection = ",".join(f"{s}:{how}" for s, how in pooled.selection.items())
write_table(component_table(pca, shared, **identity, n_voxels=len(pooled.vectors), selection=selection), snakemake.output.components)
words = ranked_table(arrays["words"], arrays["word_projections"], settings.n_top_words, "word", **identity)
write_table(words, snakemake.output.words)
image_names = np.array([str(p) for p in pairs.image_paths])
frame_names = np.array([f"{r}:{i}" for r, i in zip(arrays["frame_runs"], arrays["frame_indices"])])
images = [
    ranked_table(image_names, arrays["pair_image_projections"], settings.n_top_images, "item", **identity).assign(source="pair image"),
    ranked_table(frame_names, arrays["frame_projections"], settings.n_top_images, "item", **identity).assign(source="movie frame"),
]
write_table(pd.concat(images), snakemake.output.images)
pair_picks = np.stack(top_bottom(arrays["pair_image_projections"], settings.n_top_images), axis=1)  # (n_components, 2, n_top)
frame_picks = np.stack(top_bottom(arrays["frame_projections"], settings.n_top_images), axis=1)
frames = {run: load_stimulus(snakemake.params.movies, "movie", run) for run in movie_runs}
save_pca(
    snakemake.output.arrays,
    {
        "components": pca.components, "explained_variance_ratio": pca.explained_variance_ratio, "mean": pca.mean,
        "voxel_scores": pca.scores, "voxel_subject": pooled.subjects, "voxel_index": pooled.voxel_index, "voxel_alphas": pooled.alphas,
        **arrays, "pair_images": image_names,
        "pair_picks": pair_picks, "pair_thumbnails": pair_thumbnails(pairs.image_paths, pair_picks, settings.thumbnail_size),
        "frame_picks": frame_picks,
        "frame_thumbnails": frame_thumbnails(frames, arrays["frame_runs"], arrays["frame_indices"], frame_picks, settings.thumbnail_size),
    },
    shared, **identity, alignment=settings.alignment, score=settings.score, selection=selection,
    n_voxels=len(pooled.vectors), seed=settings.seed, n_permutations=settings.n_permutations,
)
log.info("wrote %s (%d components, %d voxels)", snakemake.output.arrays, len(pca.components), len(pooled.vectors))
