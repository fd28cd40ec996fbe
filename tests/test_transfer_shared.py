"""The shared-tuning test: uniform under both halves of its null, equal to a slow reference, powerful when tuning is shared."""

import h5py
import numpy as np
import pytest
from scipy import stats as scipy_stats

from crossmodal.data.movies import run_tr_times
from crossmodal.data.types import ModalityData, ResponseRun
from crossmodal.encoding.ridge import fit_ridge_cv
from crossmodal.features.grid import DesignMatrices
from crossmodal.transfer.scoring import StatsSettings, score_direction
from crossmodal.transfer.shared import ar_coefficients, ar_noise, residual_autocorrelation, untuned_source
from crossmodal.transfer.tail import tail_pvalues

N_FEATURES = 10
RUN_TRS = 150
N_PER_GROUP = 600
ALPHAS = np.logspace(0, 4, 9)
GROUPS = ("untuned_source", "untracked_target", "shared")


def smooth_features(rng, n_runs, n_trs):
    """Autocorrelated features, one independent stretch per run: (n_runs * n_trs, N_FEATURES), run ids."""
    white = rng.standard_normal((n_runs, n_trs + 20, N_FEATURES))
    kernel = np.exp(-np.arange(6) / 2.0)
    smooth = np.stack([[np.convolve(white[r, :, j], kernel, "valid")[:n_trs] for j in range(N_FEATURES)] for r in range(n_runs)])
    features = smooth.transpose(0, 2, 1).reshape(n_runs * n_trs, N_FEATURES)
    features = (features - features.mean(0)) / features.std(0)
    return features.astype(np.float32), np.repeat(np.arange(n_runs), n_trs)


def write_runs(folder, name, responses, run_ids):
    """Responses of each run in an HDF5 file of its own, as ResponseRuns."""
    runs = []
    for run in np.unique(run_ids):
        path = folder / f"{name}_{run}.h5"
        block = responses[run_ids == run]
        with h5py.File(path, "w") as handle:
            handle.create_dataset("data", data=block)
        runs.append(ResponseRun(f"{name}_{run}", path, "data", 0, len(block), block.shape[1], 2.0, run_tr_times(len(block), 2.0)))
    return runs


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """Source and target data of three voxel groups: untuned source weights (target driven), untracked target
    (source tuned, target noise), and shared tuning; scored with the shared-tuning test."""
    folder = tmp_path_factory.mktemp("shared")
    rng = np.random.default_rng(0)
    source_design, source_runs = smooth_features(rng, 4, RUN_TRS)
    target_train, target_runs = smooth_features(rng, 4, RUN_TRS)
    target_test, test_runs = smooth_features(rng, 1, 200)
    n_voxels = 3 * N_PER_GROUP
    group = np.repeat(np.arange(3), N_PER_GROUP)
    tuning = rng.standard_normal((N_FEATURES, n_voxels)).astype(np.float32)
    source_signal = np.where(group == 0, 0.0, 1.0).astype(np.float32)
    target_signal = np.where(group == 1, 0.0, 1.0).astype(np.float32)
    other_tuning = rng.standard_normal((N_FEATURES, n_voxels)).astype(np.float32)  # the target tuning of group 0
    target_tuning = np.where(group == 0, other_tuning, tuning)

    def respond(design, weights, scale):
        signal = design @ weights
        signal = signal / signal.std(0) * scale
        return (signal + rng.standard_normal(signal.shape)).astype(np.float32)

    source_responses = respond(source_design, tuning, 0.6 * source_signal)
    train_responses = respond(target_train, target_tuning, 0.6 * target_signal)
    test_responses = respond(target_test, target_tuning, 0.6 * target_signal)
    source_fit = fit_ridge_cv(source_design, source_responses, source_runs, ALPHAS)
    within_fit = fit_ridge_cv(target_train, train_responses, target_runs, ALPHAS)
    target = ModalityData("S", "movie", "generic", write_runs(folder, "train", train_responses, target_runs),
                          write_runs(folder, "test", test_responses, test_runs), {})
    design = DesignMatrices(source_design, source_runs, source_design[:0], source_runs[:0], [], [],
                            np.zeros(N_FEATURES), np.ones(N_FEATURES), (0,))
    stats = StatsSettings(block_len=10, n_permutations=2000, n_null_draws=2000, noise_ar_order=0, seed=0, fdr_q=0.05)
    untuned = untuned_source(design, source_fit.design_mean, np.zeros(0), stats.n_null_draws, seed=(0, 0))
    scores = score_direction(source_fit, within_fit, {"linear": (target_train, target_test)}, target_test, target, untuned, stats,
                             voxel_batch=700)["linear"]
    return dict(scores=scores, group=group, source_fit=source_fit, design=design, untuned=untuned, stats=stats,
                target_train=target_train, target_test=target_test, test_responses=test_responses, train_responses=train_responses)


@pytest.mark.parametrize("kind", ["raw", "corrected"])
def test_untuned_null_uniform_when_source_weights_carry_no_tuning(scenario, kind):
    """Voxels whose source weights are independent of their (strongly driven) target tuning: p_untuned is uniform (KS)."""
    p = scenario["scores"][f"{kind}_p_untuned"][scenario["group"] == 0]
    assert scipy_stats.kstest(p, "uniform").pvalue > 0.001
    assert np.mean(p <= 0.05) < 0.05 + 3 * np.sqrt(0.05 * 0.95 / len(p))


@pytest.mark.parametrize("kind", ["raw", "corrected"])
def test_tracking_test_uniform_when_target_is_noise(scenario, kind):
    """Voxels with real source tuning and no target response: the response permutation p-value is uniform (KS)."""
    p = scenario["scores"][f"{kind}_p_tracking"][scenario["group"] == 1]
    assert scipy_stats.kstest(p, "uniform").pvalue > 0.001


@pytest.mark.parametrize("kind", ["raw", "corrected"])
def test_shared_tuning_test_valid_in_both_null_groups_and_powerful(scenario, kind):
    scores, group = scenario["scores"], scenario["group"]
    for null_group in (0, 1):
        p = scores[f"{kind}_p"][group == null_group]
        assert np.mean(p <= 0.05) <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / len(p)), (GROUPS[null_group], np.mean(p <= 0.05))
    significant = scores[f"{kind}_significant"]
    assert np.mean(group[significant] != 2) <= 0.05 + 0.03  # false discovery proportion at q = 0.05
    assert significant[group == 2].mean() > 0.9
    # the paper's test alone lets the untuned-source group through
    assert scores[f"{kind}_significant_tracking"][group == 0].mean() > 0.1


def test_untuned_null_equals_explicit_refits(scenario):
    """The vectorised null equals refitting the ridge on each noise draw and correlating its prediction (slow reference),
    for a voxel of every alpha the fit chose (the vectorised null works on voxels grouped by alpha) in every batch."""
    fit, design, stats = scenario["source_fit"], scenario["design"], scenario["stats"]
    x = design.train_design - fit.design_mean
    noise = ar_noise(design.train_run_ids, np.zeros(0), stats.n_null_draws, np.random.default_rng((0, 0)))
    alphas = np.asarray(fit.alphas_per_voxel)
    last_of_each_alpha = [np.flatnonzero(alphas == alpha)[-1] for alpha in np.unique(alphas)]
    voxels = np.unique(np.r_[3, 700, 1500, last_of_each_alpha])
    assert len(np.unique(alphas[voxels])) >= 4 and len(np.unique(voxels // 700)) == 3  # several alphas, all three batches
    test, train = scenario["target_test"], scenario["target_train"]
    y_test, y_train = scenario["test_responses"][:, voxels], scenario["train_responses"][:, voxels]
    for column, voxel in enumerate(voxels):
        alpha = fit.alphas_per_voxel[voxel]
        weights = np.linalg.solve(x.T.astype(np.float64) @ x + alpha * np.eye(N_FEATURES), x.T.astype(np.float64) @ noise)
        prediction = (test - test.mean(0)) @ weights
        null = np.array([np.corrcoef(prediction[:, k], y_test[:, column])[0, 1] for k in range(stats.n_null_draws)])
        train_prediction = (train - train.mean(0)) @ weights
        sign = np.sign((train_prediction * (y_train[:, column] - y_train[:, column].mean())[:, None]).sum(0))
        observed = scenario["scores"]["raw_r"][voxel]
        expected_raw = tail_pvalues(null[:, None], np.array([observed]))[0]
        expected_corrected = tail_pvalues((sign * null)[:, None], np.array([scenario["scores"]["sign"][voxel] * observed]))[0]
        np.testing.assert_allclose(scenario["scores"]["raw_p_untuned"][voxel], expected_raw, rtol=0.02)
        np.testing.assert_allclose(scenario["scores"]["corrected_p_untuned"][voxel], expected_corrected, rtol=0.02)
    reference_r = np.array([np.corrcoef((test - fit.design_mean) @ fit.weights[:, v], scenario["test_responses"][:, v])[0, 1] for v in voxels])
    np.testing.assert_allclose(scenario["scores"]["raw_r"][voxels], reference_r, atol=1e-4)


def test_ar_noise_has_the_fitted_autocorrelation():
    rng = np.random.default_rng(1)
    coefficients = ar_coefficients(np.array([1.0, 0.5, 0.25, 0.125]), 1)
    np.testing.assert_allclose(coefficients, [0.5], atol=1e-12)
    noise = ar_noise(np.repeat([0, 1], 2000), coefficients, 200, rng).astype(np.float64)
    lag1 = np.mean([np.corrcoef(noise[:1999, k], noise[1:2000, k])[0, 1] for k in range(200)])
    assert abs(lag1 - 0.5) < 0.02
    assert ar_coefficients(np.array([1.0, 0.999999, 0.999999]), 2).size <= 2  # an unstable fit is lowered in order


def test_residual_autocorrelation_of_ar1_responses(tmp_path):
    """A model that explains nothing leaves the responses as residuals; their pooled lag-1 autocorrelation is recovered."""
    from crossmodal.encoding.ridge import RidgeFit

    rng = np.random.default_rng(2)
    run_ids = np.repeat([0, 1], 400)
    responses = ar_noise(run_ids, np.array([0.6]), 300, rng)
    runs = write_runs(tmp_path, "source", responses, run_ids)
    data = ModalityData("S", "story", "generic", runs, [], {})
    design = DesignMatrices(np.zeros((800, 2), np.float32), run_ids, np.zeros((0, 2), np.float32), run_ids[:0], [], [], np.zeros(2), np.ones(2), (0,))
    fit = RidgeFit(np.zeros((2, 300), np.float32), np.ones(300, np.float32), np.zeros((1, 300), np.float32), np.ones(1),
                   np.zeros(2, np.float32), np.zeros(300, np.float32), 0.0, 0.0)
    acf = residual_autocorrelation(fit, design, data, 3, n_voxels=100)
    assert acf[0] == pytest.approx(1.0)
    assert abs(acf[1] - 0.6) < 0.03 and abs(acf[2] - 0.36) < 0.04


def test_sign_and_gain_equal_fit_tuning_on_explicit_predictions(scenario):
    """The reverse-tuning sign and gain, computed in the eigenbasis, equal crossmodal.transfer.tuning.fit_tuning."""
    from crossmodal.transfer.tuning import fit_tuning

    fit, train = scenario["source_fit"], scenario["target_train"]
    voxels = slice(0, 1800, 7)
    prediction = (train - fit.design_mean) @ fit.weights[:, voxels]
    sign, gain = fit_tuning(prediction, scenario["train_responses"][:, voxels])
    np.testing.assert_array_equal(scenario["scores"]["sign"][voxels], sign)
    np.testing.assert_allclose(scenario["scores"]["gain"][voxels], gain, rtol=1e-3, atol=1e-6)


def test_corrected_tracking_pvalues_equal_the_sign_flipped_null():
    """The corrected score's block-permutation p-value is computed again only for voxels of sign -1: it must equal the
    definition, the tail p-value of ``sign * null`` at ``sign * raw_r``, bit for bit (GPD tails included)."""
    from crossmodal.transfer.scoring import _tracking_pvalues

    rng = np.random.default_rng(5)
    null = (rng.standard_normal((1000, 60)) * 0.1).astype(np.float32)
    raw_r = (rng.choice([-1, 1], 60) * rng.uniform(0.0, 0.45, 60)).astype(np.float32)  # some beyond every draw
    sign = rng.choice([-1.0, 1.0], 60).astype(np.float32)
    expected = tail_pvalues(null * sign, (sign * raw_r).astype(np.float32))
    got = _tracking_pvalues(null, raw_r, sign)
    np.testing.assert_array_equal(got, expected)
    assert (expected < 1e-3).sum() >= 5 and (expected > 0.05).sum() >= 5  # tails and ordinary values both tested
    np.testing.assert_array_equal(_tracking_pvalues(null, raw_r), tail_pvalues(null, raw_r))
