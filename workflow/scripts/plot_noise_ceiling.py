"""Rule plot_noise_ceiling: within- and cross-modal test r against each voxel's noise ceiling, every model set and layer."""

import numpy as np

from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.results import ceiling_scatter
from crossmodal.plots.style import DIRECTION_LABELS, message_figure
from crossmodal.scorefile import load_scores

log = setup_logging(snakemake.log[0])
params = snakemake.params
panels = {}
for label, paths in params.score_files.items():
    results = [load_scores(path) for path in paths]
    alignment = params.alignments[label]
    for direction, arrow in DIRECTION_LABELS.items():
        parts = [r[direction, alignment] for r in results]
        ceiling = np.concatenate([p["ceiling_r"] for p in parts])
        if not np.isfinite(ceiling).any():
            continue
        target = direction.split("_")[-1]
        panels.setdefault(label, {})[f"within-modal ({target})"] = dict(
            ceiling=ceiling, score=np.concatenate([p["within_r"] for p in parts]),
            significant=np.concatenate([p["within_significant"] for p in parts]))
        panels[label][f"cross-modal {arrow}, {params.score}"] = dict(
            ceiling=ceiling, score=np.concatenate([p[f"{params.score}_r"] for p in parts]),
            significant=np.concatenate([p[f"{params.score}_significant"] for p in parts]))
if panels:
    figure = ceiling_scatter(panels, title=f"{len(next(iter(params.score_files.values())))} subjects, voxels pooled")
else:
    log.info("no test run has stored repeats: no noise ceiling")
    figure = message_figure("No test run of these data has stored repeats, so no noise ceiling can be estimated.")
save_figure(figure, snakemake.output)
