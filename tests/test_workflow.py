"""The whole default workflow, run once in a temporary copy of the repository."""

import pandas as pd
import pytest

from workflow_utils import copy_workflow, snakemake

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """Run `snakemake --cores 2` on the default config; return the working directory."""
    workdir = copy_workflow(tmp_path_factory.mktemp("workflow"))
    result = snakemake(workdir, "--cores", "2")
    assert result.returncode == 0, result.stderr[-5000:]
    return workdir


def test_summary(default_run):
    summary = pd.read_csv(default_run / "results" / "data" / "summary.tsv", sep="\t")
    assert list(summary.columns) == [
        "subject", "modality", "layout", "train_runs", "test_runs", "train_trs", "test_trs", "voxels", "events", "event_kind", "nans_replaced",
    ]
    assert len(summary) == 4 and set(summary.subject) == {"UTS01", "UTS02"}
    stories = summary[summary.modality == "story"]
    movies = summary[summary.modality == "movie"]
    assert (stories.layout == "ds003020").all() and (stories.train_runs == 8).all() and (stories.test_runs == 1).all()
    assert (movies.layout == "shortclips").all() and (movies.train_trs == 600).all() and (movies.test_trs == 150).all()
    assert (summary.voxels == 20484).all()
    assert (movies.events == 5 * 150 * 2 * 15).all()
    nans = dict(zip(stories.subject, stories.nans_replaced))
    assert nans["UTS02"] == 0 and nans["UTS01"] > 0 and nans["UTS01"] % 3 == 0
    pairs = pd.read_csv(default_run / "results" / "data" / "pairs_summary.tsv", sep="\t")
    assert pairs.set_index("split").loc["test", "captions"] == 1000


def test_nothing_left_to_do(default_run):
    result = snakemake(default_run, "--cores", "1", "--dry-run")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_lint_is_clean(default_run):
    result = snakemake(default_run, "--lint")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "override, message",
    [
        ("simulate:\n  sed: 1\n", "bad.yaml, config/config.yaml: unknown config key 'sed' in 'simulate'. Remove it or fix its spelling"),
        ("simulate:\n  seed: one\n", "config key 'simulate.seed' is 'one', which is not of type integer. Fix its value"),
        ("subjects: UTS01\n", "config key 'subjects' is 'UTS01', which is not of type array."),
    ],
)
def test_bad_config_one_line(tmp_path, override, message):
    workdir = copy_workflow(tmp_path / "repo")
    (workdir / "bad.yaml").write_text(override)
    result = snakemake(workdir, "--cores", "1", "--dry-run", "--configfile", "bad.yaml")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("Config error:")]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert not (workdir / "results").exists()
