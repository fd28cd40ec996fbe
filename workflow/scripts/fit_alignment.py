"""Rule fit_alignment: pair-based maps between the text and image spaces, with retrieval scores."""

import pandas as pd

from crossmodal.config import alpha_grid
from crossmodal.data import load_karpathy_pairs
from crossmodal.features import read_layer
from crossmodal.features.storage import check_pair_features
from crossmodal.features.grid import stream_layer
from crossmodal.h5io import write_table
from crossmodal.logs import setup_logging
from crossmodal.transfer.alignment import alignment_report, fit_pair_maps
from crossmodal.transfer.subject import save_maps

log = setup_logging(snakemake.log[0])
settings = snakemake.params.settings
layer = snakemake.wildcards.layer
text_layer, image_layer = stream_layer(layer, "story"), stream_layer(layer, "movie")
pairs = load_karpathy_pairs(snakemake.params.root, check_images=False)
caption_image = {}
for split in ("train", "test"):
    split_pairs = pairs.split(split)
    for kind in ("captions", "images"):
        check_pair_features(snakemake.input[f"{split}_{kind}"], split_pairs, split)
    caption_image[split] = split_pairs.caption_image
alphas = alpha_grid(settings["alphas"])
train_images, train_text = read_layer(snakemake.input.train_images, image_layer), read_layer(snakemake.input.train_captions, text_layer)
test_images, test_text = read_layer(snakemake.input.test_images, image_layer), read_layer(snakemake.input.test_captions, text_layer)
log.info("pairs: %d train images / %d captions; layers %s, %s", len(train_images), len(train_text), image_layer, text_layer)
maps = fit_pair_maps(train_images, train_text, caption_image["train"], alphas, n_folds=settings["n_folds"], seed=settings["seed"])
for name, mapping in maps.items():
    log.info("%s: alpha %.3g (grid edge: %s)", name, mapping.alpha, mapping.alpha_at_grid_edge)
rows = alignment_report(
    train_images, train_text, caption_image["train"], test_images, test_text, caption_image["test"], alphas,
    n_folds=settings["n_folds"], seed=settings["seed"], maps=maps,
)
save_maps(snakemake.output.maps, maps)
table = pd.DataFrame(rows).assign(model=snakemake.wildcards.model, layer=layer)
write_table(table, snakemake.output.retrieval)
log.info("\n%s", table.to_string())
