# Helpers shared by the rules: config validation and input functions.

import sys
from pathlib import Path

# The library, importable here even where it is not installed. Scripts find it
# through workflow/scripts/crossmodal, a link to src/crossmodal (Snakemake puts
# the scripts folder on their sys.path), so conda envs and cluster jobs need no install.
sys.path.insert(0, str(Path(workflow.basedir) / "src"))

from crossmodal.config import validate_config
from crossmodal.errors import InputError

_config_sources = ", ".join(str(p) for p in workflow.configfiles) or "config"
try:
    validate_config(config, workflow.source_path("../schemas/config.schema.yaml"), _config_sources)
except InputError as error:
    sys.exit(f"Config error: {error}")

SUBJECTS = list(config["subjects"])
SYNTHETIC = config["simulate"]["enabled"]


wildcard_constraints:
    subject="|".join(SUBJECTS),


def simulate_outputs():
    """Files the simulate rule writes (one per dataset), used as inputs downstream."""
    root = config["simulate"]["root"]
    return {
        "respdict": f"{config['data']['stories']['root']}/derivative/respdict.json",
        "movie_responses": expand(f"{config['data']['movies']['root']}/responses/{{subject}}_responses.hdf", subject=SUBJECTS),
        "pairs": f"{config['data']['pairs']['root']}/dataset_flickr30k.json",
        "ground_truth": f"{root}/ground_truth.h5",
    }


def dataset_inputs(wildcards=None):
    """The synthetic dataset when it is simulated; nothing for real data (the loaders check those)."""
    if not SYNTHETIC:
        return []
    outputs = simulate_outputs()
    return [outputs["respdict"], *outputs["movie_responses"], outputs["pairs"]]
