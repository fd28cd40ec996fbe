"""Rule plot_power: detection rate against training data per SNR and direction, false discovery proportion beside."""

import pandas as pd

from crossmodal.logs import setup_logging
from crossmodal.plots.power import power_curves
from crossmodal.plots import save_figure
from crossmodal.power import PowerSettings, least_data_sentence

log = setup_logging(snakemake.log[0])
settings = PowerSettings.from_config(snakemake.config["power"], **snakemake.params.sentence)
summary = pd.read_csv(snakemake.input[0], sep="\t")
sentence = least_data_sentence(summary, settings)
figure = power_curves(summary, settings.target_detection, sentence)
save_figure(figure, snakemake.output)
log.info("%s", sentence)
