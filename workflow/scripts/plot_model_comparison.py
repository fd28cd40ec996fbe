"""Rule plot_model_comparison: multimodal vs unimodal cross-modal r over the voxels entered, per-subject differences."""

import numpy as np
import pandas as pd

from crossmodal.h5io import files_by_attribute
from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.gather import read_scores
from crossmodal.plots.results import model_comparison
from crossmodal.scorefile import load_regions
from crossmodal.transfer.compare import DIRECTIONS, entered_voxels

log = setup_logging(snakemake.log[0])
names, score, alignment = snakemake.params.names, snakemake.params.score, snakemake.params.alignment
table = pd.read_csv(snakemake.input.table, sep="\t")
multimodal_files, unimodal_files = files_by_attribute(snakemake.input.multimodal), files_by_attribute(snakemake.input.unimodal)
subjects = sorted(multimodal_files)  # score files matched by the subject they store, not by list position
multimodal = [read_scores(multimodal_files[s]) for s in subjects]
unimodal = [read_scores(unimodal_files[s]) for s in subjects]
sensory = [load_regions(multimodal_files[s]).primary_sensory for s in subjects]
points = {}
for direction in DIRECTIONS:
    a_parts, b_parts = [], []
    for scores_a, scores_b, primary in zip(multimodal, unimodal, sensory):
        a, b = scores_a[direction, alignment], scores_b[direction, alignment]
        entered, _ = entered_voxels(a[f"{score}_significant"], b[f"{score}_significant"], primary)
        a_parts.append(a[f"{score}_r"][entered])
        b_parts.append(b[f"{score}_r"][entered])
    points[direction] = (np.concatenate(a_parts).astype(float), np.concatenate(b_parts).astype(float))
    log.info("%s: %d voxels entered", direction, len(points[direction][0]))
title = f"{score} cross-modal r, {alignment} alignment, voxels significant for either model outside primary sensory cortex"
save_figure(model_comparison(points, table, tuple(names), score, title=title), snakemake.output)
