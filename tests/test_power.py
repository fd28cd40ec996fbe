"""Power analysis: the grid, each point's config, the summary over seeds, and a reduced grid run end to end."""

import numpy as np
import pandas as pd
import pytest

from crossmodal.config import load_config, validate_config
from crossmodal.errors import InputError
from crossmodal.power import PowerPoint, PowerSettings, grid_points, least_data, point_config, point_rows, summarise
from workflow_utils import REPO, copy_workflow, snakemake

SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


def _settings(**overrides) -> PowerSettings:
    return PowerSettings.from_config({"n_train_stories": [4, 8], "n_train_movie_runs": [2, 4], "snr": [0.5, 2.0], **overrides})


def test_grid_pairs_data_sizes_and_crosses_the_rest():
    points = grid_points(_settings(test_repeats=[5, 10], n_seeds=3, seed=7))
    assert len(points) == 2 * 2 * 2 * 3
    assert {(p.n_train_stories, p.n_train_movie_runs) for p in points} == {(4, 2), (8, 4)}
    assert {p.seed for p in points} == {7, 8, 9}
    assert len({p.name for p in points}) == len(points)
    assert points[0].name == "stories-4_movies-2_snr-0.5_repeats-5_patches-2_seed-7"


def test_point_config_changes_only_what_the_point_sets():
    config = load_config(REPO / "config" / "config.yaml")
    before = repr(config)
    point = PowerPoint(16, 8, 0.1, 4, 3, 11)
    out = point_config(config, point, _settings(n_permutations=123, n_null_draws=45, subjects=["UTS02"]))
    assert repr(config) == before  # the workflow's config is not touched
    assert "power" not in out and out["subjects"] == ["UTS02"]
    simulate = out["simulate"]
    assert (simulate["n_train_stories"], simulate["n_train_movie_runs"], simulate["snr"], simulate["test_repeats"],
            simulate["multimodal_patches_per_region"], simulate["seed"]) == (16, 8, 0.1, 4, 3, 11)
    assert simulate["story_trs"] == config["simulate"]["story_trs"]
    assert [name for name, model in out["models"].items() if model["enabled"]] == ["bridgetower"]
    assert out["models"]["bridgetower"]["alignment"] == ["linear"]
    assert (out["stats"]["n_permutations"], out["stats"]["n_null_draws"]) == (123, 45)
    assert out["stats"]["fdr_q"] == config["stats"]["fdr_q"] and out["encoding"] == config["encoding"]
    validate_config(out, SCHEMA, "point")  # a valid config of its own


def test_real_scale_points_keep_real_sizes_except_the_grids():
    config = load_config(REPO / "config" / "config.yaml")
    config["simulate"]["scale"] = "real"
    simulate = point_config(config, PowerPoint(40, 6, 0.5, 10, 2, 0), _settings())["simulate"]
    assert simulate["scale"] == "small" and (simulate["n_train_stories"], simulate["n_train_movie_runs"]) == (40, 6)
    assert (simulate["story_trs"], simulate["n_pair_images"], simulate["movie_run_trs"]) == (345, 31014, 300)


def test_config_errors_name_the_power_keys():
    config = load_config(REPO / "config" / "config.yaml")
    config["power"]["model"] = "bridgtower"
    with pytest.raises(InputError, match="power.model"):
        validate_config(config, SCHEMA, "test")
    config = load_config(REPO / "config" / "config.yaml")
    config["power"]["n_train_movie_runs"] = [2]
    with pytest.raises(InputError, match="power.n_train_stories"):
        validate_config(config, SCHEMA, "test")


def test_point_rows_keep_the_chosen_score_with_the_points_identity():
    recovery = pd.DataFrame({
        "subject": ["UTS01"] * 4, "model": ["bridgetower"] * 3 + ["unimodal"], "direction": ["story_to_movie", "story_to_movie", "movie_to_story", "story_to_movie"],
        "alignment": ["linear"] * 4, "correction": ["raw", "corrected", "raw", "raw"], "detection_rate": [0.9, 0.8, 0.5, 0.1],
        "false_discovery_proportion": [0.01, 0.02, 0.03, 0.04], "auc": [0.99, 0.98, 0.9, 0.6], "n_significant": [10, 9, 8, 7],
    })
    summary = pd.DataFrame({"subject": ["UTS01", "UTS01"], "modality": ["story", "movie"], "train_trs": [1246, 600]})
    rows = point_rows(recovery, summary, PowerPoint(8, 4, 2.0, 10, 2, 0), _settings())
    assert list(rows.direction) == ["story_to_movie", "movie_to_story"]
    assert list(rows.detection_rate) == [0.9, 0.5] and (rows.train_story_trs == 1246).all() and (rows.train_movie_trs == 600).all()
    assert (rows.n_train_stories == 8).all() and (rows.seed == 0).all()


def _rows(values_by_seed: dict, stories=8, snr=2.0) -> pd.DataFrame:
    return pd.DataFrame([
        {"subject": subject, "n_train_stories": stories, "n_train_movie_runs": 4, "snr": snr, "test_repeats": 10,
         "multimodal_patches_per_region": 2, "seed": seed, "train_story_trs": 100 * stories, "train_movie_trs": 600,
         "direction": "story_to_movie", "detection_rate": value, "false_discovery_proportion": value / 10, "auc": 0.9, "n_significant": 1}
        for seed, values in values_by_seed.items() for subject, value in zip(("UTS01", "UTS02"), values)
    ])


def test_summary_is_the_mean_over_seeds_with_an_interval_inside_their_range():
    rows = _rows({0: (0.2, 0.4), 1: (0.5, 0.7), 2: (0.8, 0.8)})  # seed means 0.3, 0.6, 0.8
    summary = summarise(rows, n_bootstrap=4000, confidence=0.95, seed=0)
    assert len(summary) == 1
    row = summary.iloc[0]
    assert row.detection_rate == pytest.approx((0.3 + 0.6 + 0.8) / 3) and row.n_seeds == 3
    assert 0.3 - 1e-12 <= row.detection_rate_low < row.detection_rate < row.detection_rate_high <= 0.8 + 1e-12
    # the bootstrap of a mean of 3 values: the lowest resample mean is 0.3 with probability 1/27 > 2.5 %
    assert row.detection_rate_low == pytest.approx(0.3)
    assert row.false_discovery_proportion == pytest.approx(row.detection_rate / 10)
    constant = summarise(_rows({0: (0.5, 0.5), 1: (0.5, 0.5)}), 500, 0.95, 0).iloc[0]
    assert constant.detection_rate_low == constant.detection_rate_high == pytest.approx(0.5)


def test_least_data_is_the_smallest_size_reaching_the_target():
    rows = pd.concat([_rows({0: (v, v)}, stories=s) for s, v in ((4, 0.5), (8, 0.85), (16, 0.95))])
    summary = summarise(rows, 200, 0.95, 0)
    settings = _settings(snr=[2.0], target_detection=0.8)
    assert least_data(summary, settings, 2.0)["story_to_movie"][:3] == (8, 4, 800)
    assert least_data(summary, settings, 2.0, target=0.99)["story_to_movie"] is None


def test_power_figure_has_a_panel_per_snr_and_direction_plus_false_discoveries():
    from crossmodal.plots.power import power_curves

    rows = pd.concat([_rows({0: (v, v), 1: (v, v)}, stories=s, snr=snr) for s, v in ((4, 0.5), (8, 0.9)) for snr in (0.5, 2.0)])
    figure = power_curves(summarise(rows, 200, 0.95, 0), 0.8, "title")
    assert len(figure.axes) == 1 * (2 + 1)
    assert np.allclose(figure.axes[0].lines[0].get_ydata(), [0.5, 0.9])


REDUCED_GRID = """
simulate:
  story_trs: 100
  test_story_trs: 200
  movie_run_trs: 100
  movie_test_trs: 200
  n_pair_images: 400
  n_val_images: 20
  n_test_images: 80
  frame_size: 32
power:
  n_train_stories: [3, 8]
  n_train_movie_runs: [2, 4]
  snr: [0.5, 2.0]
  n_seeds: 1
  n_permutations: 300
  n_null_draws: 300
"""


@pytest.mark.workflow
def test_reduced_grid_detection_rises_with_data_and_snr(tmp_path):
    """2 data sizes x 2 SNRs x 1 seed through the whole workflow: detection never falls with more data or a higher
    SNR, rises with data at the low SNR, and the false discovery proportion is <= 0.10 at every point."""
    workdir = copy_workflow(tmp_path / "power")
    (workdir / "config" / "power.yaml").write_text(REDUCED_GRID)
    result = snakemake(workdir, "--cores", "2", "results/power/power.tsv", "results/figures/power.png", "--configfile", "config/power.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    summary = pd.read_csv(workdir / "results/power/power.tsv", sep="\t")
    assert len(summary) == 2 * 2 * 2 and (summary.n_seeds == 1).all()
    assert (summary.false_discovery_proportion <= 0.10).all()
    detection = summary.set_index(["direction", "snr", "n_train_stories"]).detection_rate
    for direction in ("story_to_movie", "movie_to_story"):
        for snr in (0.5, 2.0):
            assert detection[direction, snr, 8] >= detection[direction, snr, 3] - 0.02, (direction, snr)
        for stories in (3, 8):
            assert detection[direction, 2.0, stories] >= detection[direction, 0.5, stories] - 0.02, (direction, stories)
    assert detection["movie_to_story", 0.5, 8] - detection["movie_to_story", 0.5, 3] > 0.1
    assert (summary.train_story_trs.groupby(summary.n_train_stories).first().diff().dropna() > 0).all()
    assert (workdir / "results/figures/power.png").stat().st_size > 10_000
    assert not any((workdir / "results/power/runs").iterdir())  # every point's run folder removed once its rows are kept
