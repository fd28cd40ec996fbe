"""Rule plot_synthetic_recovery: planted voxel class vs detected transfer, and the PCA's planted-subspace recovery."""

import json

import h5py
import numpy as np
import pandas as pd

from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.gather import read_scores
from crossmodal.plots.validation import detection_matrix, recovery_panel

log = setup_logging(snakemake.log[0])
with h5py.File(snakemake.input.truth, "r") as truth:
    voxel_class = truth["voxel_class"][()]
    class_names = json.loads(truth["voxel_class"].attrs["classes"])
alignment, score = snakemake.params.alignment, snakemake.params.score
matrices = {}
for label, paths in snakemake.params.groups.items():
    story_to_movie, movie_to_story, classes = [], [], []
    for path in paths:
        results = read_scores(path)
        aligned = alignment if ("story_to_movie", alignment) in results else next(iter(results))[1]
        story_to_movie.append(results["story_to_movie", aligned][f"{score}_significant"])
        movie_to_story.append(results["movie_to_story", aligned][f"{score}_significant"])
        classes.append(voxel_class)
    matrices[f"{label} ({score}, {aligned})"] = detection_matrix(np.concatenate(classes), np.concatenate(story_to_movie),
                                                                 np.concatenate(movie_to_story), len(class_names))
pca = pd.read_csv(snakemake.input.pca_recovery, sep="\t")
save_figure(recovery_panel(matrices, class_names, pca, title="synthetic data: planted truth vs detected"), snakemake.output)
