"""Rule plot_encoding_alphas: chosen ridge alphas of every fit, with the fraction at each edge of the grid."""

import h5py

from crossmodal.logs import setup_logging
from crossmodal.plots import save_figure
from crossmodal.plots.results import alpha_histograms

log = setup_logging(snakemake.log[0])
alphas, grid = {}, None
for path in snakemake.input:
    with h5py.File(path, "r") as handle:  # only the alphas, not the weights
        a = handle.attrs
        alphas[f"{a['model']} {a['subject']}\n{a['modality']} {a['layer']}"] = handle["alphas_per_voxel"][()]
        grid = handle["alpha_grid"][()]
save_figure(alpha_histograms(alphas, grid, title="ridge alphas chosen by cross-validation"), snakemake.output)
