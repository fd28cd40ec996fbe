"""The story-only variant (config/story_only.yaml): RQ4's planted negative case, a concept only the stories carry."""

import pandas as pd
import pytest

from workflow_utils import copy_workflow, snakemake

pytestmark = pytest.mark.workflow

#: A reduced run of the variant: one subject, the RoBERTa/ViT set, fewer null draws; the default data sizes.
REDUCED = """
subjects: [UTS01]
models:
  bridgetower: {enabled: false}
stats: {n_permutations: 500, n_null_draws: 500}
"""


def test_story_only_dimension_comes_out_not_shared(tmp_path):
    """The PC of the planted story-only concept is reported not shared and the planted shared PCs shared (issue 13):
    the sharedness test can say no where the truth is no."""
    workdir = copy_workflow(tmp_path / "story_only")
    (workdir / "reduced.yaml").write_text(REDUCED)
    result = snakemake(workdir, "--cores", "2", "results/validation/pca_planted.tsv",
                       "--configfile", "config/story_only.yaml", "reduced.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    table = pd.read_csv(workdir / "results/validation/pca_planted.tsv", sep="\t")
    story_only = table[table.planted == "story-only"]
    shared = table[table.planted == "shared"]
    assert len(story_only) == 1 and len(shared) >= 3, table.to_string()
    assert story_only.story_only_cosine.iloc[0] > 0.9 and not story_only.shared.any(), table.to_string()
    assert shared.shared.all(), table.to_string()
    components = pd.read_csv(workdir / "results/unimodal/pca/layer-tower.2_components.tsv", sep="\t")
    assert {"random_median", "random_95", "random_percentile", "random_p", "nonmultimodal_sharedness", "shared"} <= set(components.columns)
