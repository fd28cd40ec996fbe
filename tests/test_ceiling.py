"""Noise ceilings from test repeats: the estimator against a slow reference, closed forms and the planted truth."""

import h5py
import numpy as np
import pytest

from crossmodal.ceiling import (
    ceiling_correlation, ceiling_of_test_runs, explainable_variance, fraction_of_ceiling, load_ceilings, save_ceilings,
)
from crossmodal.data import load_shortclips
from crossmodal.data.movies import run_tr_times
from crossmodal.data.types import ResponseRun
from crossmodal.regions import RegionMap
from crossmodal.simulate.brain import MULTIMODAL, NONE, VISION_ONLY
from crossmodal.transfer.subject import add_ceiling_scores, region_rows


def _slow_signal_power_ratio(repeats: np.ndarray) -> np.ndarray:
    """Sahani & Linden (2003), one voxel at a time: signal power / mean power of z-scored repeats."""
    n_repeats, _, n_voxels = repeats.shape
    out = np.empty(n_voxels)
    for v in range(n_voxels):
        z = [(r - r.mean()) / r.std() for r in repeats[:, :, v].astype(np.float64)]
        total_power = np.mean([np.var(r) for r in z])
        signal_power = (np.var(np.sum(z, axis=0)) - sum(np.var(r) for r in z)) / (n_repeats * (n_repeats - 1))
        out[v] = signal_power / total_power
    return out


def _repeats(signal_variance: np.ndarray, n_repeats: int, n_trs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Repeats of one signal per voxel (variance ``signal_variance``) plus unit-variance noise."""
    rng = np.random.default_rng(seed)
    signal = rng.standard_normal((n_trs, len(signal_variance))) * np.sqrt(signal_variance)
    return signal[None] + rng.standard_normal((n_repeats, n_trs, len(signal_variance))), signal


def test_explainable_variance_equals_slow_signal_power_ratio():
    repeats, _ = _repeats(np.linspace(0, 3, 12), n_repeats=5, n_trs=80, seed=0)
    np.testing.assert_allclose(explainable_variance(repeats), _slow_signal_power_ratio(repeats), atol=1e-12)


def test_explainable_variance_is_unbiased_and_ceiling_matches_the_best_possible_correlation():
    """Signal variance s, noise 1: ev = s / (s + 1); the true signal's correlation with the mean of the repeats
    is the ceiling (no model can beat the true signal)."""
    signal_variance = np.array([0.0, 0.1, 0.5, 1.0, 4.0])
    truth = signal_variance / (signal_variance + 1)
    estimates, best_r = [], []
    for seed in range(40):
        repeats, signal = _repeats(np.repeat(signal_variance, 50), n_repeats=10, n_trs=300, seed=seed)
        estimates.append(explainable_variance(repeats).reshape(5, 50).mean(axis=1))
        mean = repeats.mean(axis=0)
        r = [np.corrcoef(signal[:, v], mean[:, v])[0, 1] for v in range(signal.shape[1])]
        best_r.append(np.reshape(r, (5, 50)).mean(axis=1))
    np.testing.assert_allclose(np.mean(estimates, axis=0), truth, atol=0.004)
    ceiling = ceiling_correlation(truth, 10)
    assert np.isnan(ceiling[0])
    np.testing.assert_allclose(np.mean(best_r, axis=0)[1:], ceiling[1:], atol=0.01)
    np.testing.assert_allclose(ceiling[1:], np.sqrt(truth[1:] / (truth[1:] + (1 - truth[1:]) / 10)))


def test_uncorrected_estimate_would_be_biased():
    """Without the small-sample correction noise-only voxels would get ev = 1 / n_repeats: the test sees it."""
    repeats, _ = _repeats(np.zeros(400), n_repeats=4, n_trs=200, seed=1)
    ev = explainable_variance(repeats)
    assert abs(ev.mean()) < 0.003
    assert abs(ev.mean() - 0.25) > 0.2


def _write_run(path, data) -> ResponseRun:
    with h5py.File(path, "w") as handle:
        handle.create_dataset("Y_test", data=data)
    three_d = data.ndim == 3
    n_trs, n_voxels = data.shape[-2:]
    return ResponseRun("test", path, "Y_test", 0, n_trs, n_voxels, 2.0, run_tr_times(n_trs, 2.0), n_repeats=data.shape[0] if three_d else 0)


def test_streamed_ceiling_and_mean_over_repeats(tmp_path):
    repeats, _ = _repeats(np.linspace(0, 2, 25), n_repeats=6, n_trs=50, seed=2)
    repeats = repeats.astype(np.float32)
    repeats[2, 3, 4] = np.nan
    run = _write_run(tmp_path / "three_d.hdf", repeats)
    clean = np.nan_to_num(repeats)
    np.testing.assert_allclose(run.read(), clean.mean(axis=0), rtol=1e-6)
    np.testing.assert_array_equal(run.read_repeats(slice(3, 9)), clean[:, :, 3:9])
    assert run.count_nans() == 1
    ev, ceiling, n_repeats = ceiling_of_test_runs([run], voxel_batch=7)
    assert n_repeats == 6
    assert np.isnan(ev[4]) and np.isnan(ceiling[4])  # a missing value: no ceiling, not a biased one
    others = np.arange(25) != 4
    np.testing.assert_allclose(ev[others], explainable_variance(clean)[others], atol=1e-12)
    np.testing.assert_allclose(ceiling, ceiling_correlation(ev, 6))
    averaged = _write_run(tmp_path / "two_d.hdf", clean.mean(axis=0))
    ev, ceiling, n_repeats = ceiling_of_test_runs([averaged])
    assert n_repeats == 0 and np.isnan(ev).all() and np.isnan(ceiling).all()


def test_ceilings_round_trip(tmp_path):
    ev = np.array([0.5, -0.1, np.nan], dtype=np.float32)
    save_ceilings(tmp_path / "c.h5", {("UTS01", "movie"): (ev, ceiling_correlation(ev, 10), 10),
                                       ("UTS01", "story"): (np.full(3, np.nan), np.full(3, np.nan), 0)})
    loaded = load_ceilings(tmp_path / "c.h5", "UTS01")
    assert loaded["movie"]["n_repeats"] == 10 and loaded["story"]["n_repeats"] == 0
    np.testing.assert_allclose(loaded["movie"]["ceiling_r"][0], np.sqrt(0.5 / (0.5 + 0.05)), rtol=1e-6)
    assert np.isnan(loaded["movie"]["ceiling_r"][1:]).all()


def test_scores_as_fraction_of_ceiling_per_voxel_and_region():
    n = 6
    arrays = {f"{score}_r": np.array([0.2, 0.4, 0.1, 0.3, 0.5, 0.0]) * (1 if score == "within" else 0.5)
              for score in ("raw", "corrected", "within")}
    arrays.update({f"{score}_significant": np.ones(n, bool) for score in ("raw", "corrected", "within")})
    arrays["sign"] = np.ones(n)
    results = {("story_to_movie", "linear"): dict(arrays), ("movie_to_story", "linear"): dict(arrays)}
    movie_ceiling = np.array([0.4, 0.8, np.nan, 0.6, 1.0, 0.5])
    add_ceiling_scores(results, {"movie": movie_ceiling, "story": np.full(n, np.nan)})
    to_movie = results["story_to_movie", "linear"]
    np.testing.assert_allclose(to_movie["within_of_ceiling"], [0.5, 0.5, np.nan, 0.5, 0.5, 0.0])
    assert np.isnan(results["movie_to_story", "linear"]["within_of_ceiling"]).all()
    regions = RegionMap(np.array([1, 1, 1, 2, 2, 0]), ("other", "A", "B"), np.zeros(n, bool), np.zeros(n, bool))
    rows = {(r["direction"], r["score"], r["region"]): r for r in region_rows(results, regions)}
    a = rows["story_to_movie", "within", "A"]
    assert a["mean_ceiling_r"] == pytest.approx(0.6)  # voxel 2 has no ceiling
    assert a["fraction_of_ceiling"] == pytest.approx(0.3 / 0.6)
    assert rows["story_to_movie", "raw", "B"]["fraction_of_ceiling"] == pytest.approx(0.2 / 0.8)
    assert np.isnan(rows["movie_to_story", "within", "A"]["fraction_of_ceiling"])
    np.testing.assert_allclose(fraction_of_ceiling([0.2], [0.4]), [0.5])


def test_synthetic_movie_test_run_has_repeats_and_its_ceiling_matches_the_planted_one(default_dataset):
    """The default synthetic data write the movie test run with 10 repeats, as published; the estimated explainable
    variance matches the planted signal / (signal + noise) of every voxel."""
    with h5py.File(default_dataset.ground_truth, "r") as truth:
        planted = truth["movie_test_explainable_variance"][()]
        voxel_class = truth["voxel_class"][()]
    data = load_shortclips(default_dataset.movies_root, "UTS01")
    run = data.test_runs[0]
    assert run.n_repeats == 10
    ev, ceiling, n_repeats = ceiling_of_test_runs(data.test_runs)
    assert n_repeats == 10
    assert np.corrcoef(ev, planted)[0, 1] > 0.99
    assert np.mean(np.abs(ev - planted)) < 0.015
    assert abs(np.mean(ev[voxel_class == NONE])) < 0.003
    for planted_class in (VISION_ONLY, MULTIMODAL):
        chosen = voxel_class == planted_class
        assert np.mean(ev[chosen]) == pytest.approx(np.mean(planted[chosen]), abs=0.01)
        assert np.mean(planted[chosen]) > 0.5
