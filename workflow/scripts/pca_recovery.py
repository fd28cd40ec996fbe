"""Rule pca_recovery: the top PCs against the planted concepts (synthetic data): principal angles and planted labels."""

import json

import h5py
import numpy as np
import pandas as pd

from crossmodal.errors import InputError
from crossmodal.features.grid import load_design
from crossmodal.h5io import write_table
from crossmodal.logs import setup_logging
from crossmodal.pca import load_pca, planted_subspace, principal_angle_cosines
from crossmodal.pca.analysis import shared_flags
from crossmodal.pca.recovery import planted_labels

log = setup_logging(snakemake.log[0])
designs = {}
for path in snakemake.input.designs:
    with h5py.File(path, "r") as handle:
        designs[str(handle.attrs["model"]), str(handle.attrs["layer_key"])] = path  # matched by name, not by position
angles, labels = [], []
with h5py.File(snakemake.input.truth, "r") as truth:
    n_story_only = len(json.loads(truth.attrs.get("story_only_concept_names", "[]")))
    for pca_path in snakemake.input.pca:
        arrays, shared, attrs = load_pca(pca_path)
        key = (str(attrs["model"]), str(attrs["layer"]))
        design = load_design(designs[key])
        concepts = np.concatenate([truth[f"stories/{run}/concepts"][()] for run in design.train_runs])
        if len(concepts) != len(design.train_design):
            raise InputError(designs[key], f"has {len(design.train_design)} training rows, the planted concepts {len(concepts)}",
                             "rerun the workflow from the simulate rule (the design predates the synthetic data)")
        alpha = float(np.median(arrays["voxel_alphas"]))
        basis = planted_subspace(design.train_design, concepts, len(design.delays), alpha)
        top = arrays["components"][: len(basis)]
        cosines = principal_angle_cosines(top, basis)
        log.info("%s %s: alpha %.3g, %d PCs vs %d concepts: cosines %s", attrs["model"], attrs["layer"], alpha, len(top), len(basis), np.round(cosines, 3))
        angles += [{"model": attrs["model"], "layer": attrs["layer"], "component": k + 1, "cosine": c} for k, c in enumerate(cosines)]
        table = planted_labels(arrays["components"], basis, n_story_only)
        table.insert(0, "layer", attrs["layer"])
        table.insert(0, "model", attrs["model"])
        table["sharedness"], table["random_percentile"] = shared["r"], shared["random_percentile"]
        table["shared"], table["more_shared_than_random"] = shared_flags(shared)
        log.info("\n%s", table.to_string())
        labels.append(table)
write_table(pd.DataFrame(angles, columns=["model", "layer", "component", "cosine"]), snakemake.output.angles)
write_table(pd.concat(labels), snakemake.output.planted)
