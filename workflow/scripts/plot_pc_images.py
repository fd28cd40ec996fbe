"""Rule plot_pc_images: pair images and movie frames with the highest and lowest projection on each PC."""

from crossmodal.logs import setup_logging
from crossmodal.pca import load_pca
from crossmodal.plots import save_figure
from crossmodal.plots.components import image_grid

log = setup_logging(snakemake.log[0])
w = snakemake.wildcards
arrays, _, attrs = load_pca(snakemake.input.pca)
thumbnails = {"test pair images": arrays["pair_thumbnails"], "movie frames": arrays["frame_thumbnails"]}
figure = image_grid(thumbnails, title=f"{w.model} {w.layer}: images per PC (vision features mapped to text space, alignment {attrs['alignment']})")
save_figure(figure, snakemake.output)
