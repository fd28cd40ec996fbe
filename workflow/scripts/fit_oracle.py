"""Rule fit_oracle: the encoding ridge on the planted latents of one subject and modality (synthetic data)."""

from crossmodal.data import load_modality
from crossmodal.encoding import save_fit
from crossmodal.encoding.subject import EncodingSettings
from crossmodal.logs import setup_logging
from crossmodal.simulate.oracle import oracle_fit

log = setup_logging(snakemake.log[0])
wildcards = snakemake.wildcards
data = load_modality(snakemake.params.section, wildcards.modality, wildcards.subject)
fit = oracle_fit(snakemake.input.truth, data, EncodingSettings.from_config({**snakemake.config["encoding"], **snakemake.params.settings}))
save_fit(snakemake.output[0], fit, model="oracle", subject=wildcards.subject, modality=wildcards.modality, layer="latents")
log.info("%s %s oracle: %d latent features x %d delays, median test r %.3f",
         wildcards.subject, wildcards.modality, fit.weights.shape[0] // len(snakemake.params.settings["delays"]),
         len(snakemake.params.settings["delays"]), float(fit.test_scores[fit.test_scores == fit.test_scores].mean()))
