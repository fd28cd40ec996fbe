"""Rule pca_recovery: principal angles between the top PCs and the planted concept subspace (synthetic data)."""

import h5py
import numpy as np
import pandas as pd

from crossmodal.errors import InputError
from crossmodal.features.grid import load_design
from crossmodal.h5io import write_table
from crossmodal.logs import setup_logging
from crossmodal.pca import load_pca, planted_subspace, principal_angle_cosines

log = setup_logging(snakemake.log[0])
rows = []
with h5py.File(snakemake.input.truth, "r") as truth:
    for pca_path, design_path in zip(snakemake.input.pca, snakemake.input.designs):
        arrays, _, attrs = load_pca(pca_path)
        design = load_design(design_path)
        concepts = np.concatenate([truth[f"stories/{run}/concepts"][()] for run in design.train_runs])
        if len(concepts) != len(design.train_design):
            raise InputError(design_path, f"has {len(design.train_design)} training rows, the planted concepts {len(concepts)}",
                             "rerun the workflow from the simulate rule (the design predates the synthetic data)")
        alpha = float(np.median(arrays["voxel_alphas"]))
        basis = planted_subspace(design.train_design, concepts, len(design.delays), alpha)
        top = arrays["components"][: len(basis)]
        cosines = principal_angle_cosines(top, basis)
        log.info("%s %s: alpha %.3g, %d PCs vs %d concepts: cosines %s", attrs["model"], attrs["layer"], alpha, len(top), len(basis), np.round(cosines, 3))
        rng = np.random.default_rng(0)
        chance = np.mean([principal_angle_cosines(rng.standard_normal(top.shape), basis) for _ in range(100)], axis=0)
        log.info("chance level (random %d-dim subspaces): %s", len(top), np.round(chance, 3))
        rows += [{"model": attrs["model"], "layer": attrs["layer"], "component": k + 1, "cosine": c} for k, c in enumerate(cosines)]
write_table(pd.DataFrame(rows, columns=["model", "layer", "component", "cosine"]), snakemake.output[0])
