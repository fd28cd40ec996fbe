"""Rule power_point: one simulated dataset of the power grid, run through the workflow in a folder of its own.

The run uses this repository's Snakefile with the point's config (crossmodal.power.point_config) in
results/power/runs/<point>/, on the job's threads, and keeps the rows of its recovery table that the power
analysis reads. The run folder is deleted afterwards (power.keep_runs keeps it) and only when the marker file
this rule writes is in it; an interrupted point continues where it stopped.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml

from crossmodal.h5io import write_table
from crossmodal.logs import setup_logging
from crossmodal.power import PowerSettings, grid_points, point_config, point_rows

MARKER = ".crossmodal-power-run"

log = setup_logging(snakemake.log[0])
settings = PowerSettings.from_config(snakemake.config["power"])
point = {p.name: p for p in grid_points(settings)}[snakemake.wildcards.point]
run = Path(snakemake.output[0]).parent.parent / "runs" / point.name
owned = not run.exists() or (run / MARKER).exists()  # a folder this rule did not make is used but never deleted
run.mkdir(parents=True, exist_ok=True)
if owned:
    (run / MARKER).touch()
config_path = run / "point_config.yaml"
config_path.write_text(yaml.safe_dump(point_config(snakemake.config, point, settings), sort_keys=False))
snakefile = (Path(snakemake.scriptdir) / ".." / ".." / "Snakefile").resolve()
targets = ["results/validation/recovery.tsv", "results/data/summary.tsv"]
command = [sys.executable, "-m", "snakemake", "--snakefile", str(snakefile), "--directory", str(run), "--cores", str(snakemake.threads),
           "--nolock", "--configfile", str(config_path.resolve()), "--", *targets]
log.info("%s: %s", point.name, " ".join(command))
with open(run / "snakemake.log", "w") as output:
    finished = subprocess.run(command, stdout=output, stderr=subprocess.STDOUT)
if finished.returncode != 0:
    tail = (run / "snakemake.log").read_text()[-3000:]
    sys.exit(f"power point {point.name}: the workflow run in {run} failed (see {run / 'snakemake.log'}):\n{tail}")
rows = point_rows(pd.read_csv(run / targets[0], sep="\t"), pd.read_csv(run / targets[1], sep="\t"), point, settings)
write_table(rows, snakemake.output[0])
log.info("%s:\n%s", point.name, rows.to_string(index=False))
if not settings.keep_runs and owned:
    shutil.rmtree(run)
