"""Rule simulate: write the synthetic dataset in the real layouts."""

from pathlib import Path

from crossmodal.logs import setup_logging
from crossmodal.simulate import SimulationSettings, SyntheticPaths, simulate_dataset

log = setup_logging(snakemake.log[0])
settings = SimulationSettings.from_config(snakemake.params.settings, subjects=snakemake.params.subjects, lexicon=snakemake.input.lexicon)
paths = SyntheticPaths(
    stories_root=Path(snakemake.params.roots["stories"]),
    movies_root=Path(snakemake.params.roots["movies"]),
    pairs_root=Path(snakemake.params.roots["pairs"]),
    ground_truth=Path(snakemake.output.ground_truth),
)
log.info("simulating %s", settings.resolved())
simulate_dataset(settings, paths, progress=True, regions_file=snakemake.input.regions)
log.info("wrote %s, %s, %s and %s", *paths.roots(), paths.ground_truth)
