"""Rule plot_model_comparison: multimodal vs unimodal cross-modal r per voxel, outside primary sensory cortex."""

import numpy as np

from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.gather import read_scores
from crossmodal.plots.results import model_comparison
from crossmodal.scorefile import load_regions

log = setup_logging(snakemake.log[0])
names, score, alignment = snakemake.params.names, snakemake.params.score, snakemake.params.alignment
multimodal = [read_scores(p) for p in snakemake.input.multimodal]
unimodal = [read_scores(p) for p in snakemake.input.unimodal]
outside = [~load_regions(path).primary_sensory for path in snakemake.input.multimodal]  # per subject
points = {}
for direction in ("story_to_movie", "movie_to_story"):
    a = np.concatenate([r[direction, alignment][f"{score}_r"][o] for r, o in zip(multimodal, outside)]).astype(float)
    b = np.concatenate([r[direction, alignment][f"{score}_r"][o] for r, o in zip(unimodal, outside)]).astype(float)
    points[direction] = (a, b)
    log.info("%s: %d voxels", direction, len(a))
figure = model_comparison(points, tuple(names), title=f"{score} cross-modal r, {alignment} alignment, outside primary sensory cortex")
save_figure(figure, snakemake.output)
