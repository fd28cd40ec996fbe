"""The null simulation: no voxel shares tuning across language and vision, so every cross-modal discovery is false."""

import pandas as pd
import pytest

from workflow_utils import copy_workflow, snakemake

pytestmark = pytest.mark.workflow

#: A reduced version of config/null.yaml: no multimodal voxels; BridgeTower with and without the alignment map.
NULL = """
subjects: [UTS01]
simulate:
  multimodal_patches_per_region: 0
  n_train_stories: 4
  n_train_movie_runs: 3
  n_pair_images: 600
  n_val_images: 40
  n_test_images: 100
models:
  unimodal: {enabled: false}
stats: {n_permutations: 500, n_null_draws: 500}
"""


def test_null_dataset_declares_almost_nothing(tmp_path):
    """At most 0.1 % of voxels significant in every row (issue 11), while the paper's tracking test, on the same
    scores, declares many voxels story->movie without the alignment map: the test can see what it must reject."""
    workdir = copy_workflow(tmp_path / "null")
    (workdir / "config" / "config.yaml").write_text(NULL)
    result = snakemake(workdir, "--cores", "2", "results/validation/recovery.tsv")
    assert result.returncode == 0, result.stderr[-3000:]
    table = pd.read_csv(workdir / "results/validation/recovery.tsv", sep="\t")
    assert len(table) == 2 * 2 * 2  # directions x alignments x scores
    assert (table.n_significant <= 0.001 * 20484).all(), table[["direction", "alignment", "correction", "n_significant"]]
    assert (table.fraction_significant_multimodal.isna() | (table.fraction_significant_multimodal == 0)).all()
    tracking = table.set_index(["direction", "alignment", "correction"]).tracking_n_significant
    assert tracking["story_to_movie", "none", "raw"] > 50
