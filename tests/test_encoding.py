"""Tests of crossmodal.encoding: folds, the ridge solver, scatter/gather, I/O."""

from __future__ import annotations

import logging

import h5py
import numpy as np
import pytest

from crossmodal.encoding import (
    RidgeFit,
    bootstrap_chunk_folds,
    correlate_columns,
    cv_folds,
    fit_ridge_cv,
    gather_fits,
    grouped_folds,
    load_fit,
    save_fit,
    voxel_chunk_bounds,
)
from crossmodal.encoding.folds import _chunks_within_runs
from crossmodal.errors import InputError

ALPHAS = np.logspace(0, 4, 20)


def make_problem(n_samples=240, n_features=40, n_voxels=60, n_runs=6, seed=0, decades=4.0, baseline=50.0):
    """Small seeded problem with a decaying feature spectrum, so alphas spread over the grid.

    Returns
    -------
    design : (n_samples, n_features) float32, z-scored
    responses : (n_samples, n_voxels) float32
    run_ids : (n_samples,) int, consecutive runs of near-equal length
    """
    rng = np.random.default_rng(seed)
    singular = np.sqrt(np.logspace(0, -decades, n_features))
    rotation = np.linalg.qr(rng.standard_normal((n_features, n_features)))[0]
    design = rng.standard_normal((n_samples, n_features)) @ (singular[:, None] * rotation)
    design = (design - design.mean(0)) / design.std(0)
    prior_alpha = np.logspace(-1, 4.5, n_voxels)
    weights = rng.standard_normal((n_features, n_voxels)) / np.sqrt(prior_alpha)
    responses = design @ weights + rng.standard_normal((n_samples, n_voxels)) + baseline
    run_ids = np.sort(np.arange(n_samples) % n_runs)
    return design.astype(np.float32), responses.astype(np.float32), run_ids


def assert_weights_close(weights, reference, relative=1e-4):
    scale = np.abs(reference).max()
    np.testing.assert_allclose(weights, reference, rtol=relative, atol=relative * scale)


# ----------------------------------------------------------------------------- folds


def test_grouped_folds_hold_out_whole_runs_balanced_and_cover_every_sample_once():
    run_lengths = [50, 10, 30, 30, 20, 40, 25]
    run_ids = np.repeat(np.arange(len(run_lengths)), run_lengths)
    folds = grouped_folds(run_ids, 3)
    assert len(folds) == 3
    test_indices = np.concatenate([test for _, test in folds])
    np.testing.assert_array_equal(np.sort(test_indices), np.arange(run_ids.size))
    for train, test in folds:
        assert np.intersect1d(train, test).size == 0
        assert train.size + test.size == run_ids.size
        assert not set(run_ids[train]) & set(run_ids[test])  # no run on both sides
    sizes = sorted(test.size for _, test in folds)
    assert sizes == [65, 70, 70]  # longest-first greedy: 50+20, 40+30, 30+25+10
    again = grouped_folds(run_ids, 3)
    for (train, test), (train2, test2) in zip(folds, again):
        np.testing.assert_array_equal(test, test2)


def test_grouped_folds_with_fewer_runs_than_folds_is_leave_one_run_out(caplog):
    run_ids = np.repeat([3, 1, 2], 10)
    with caplog.at_level(logging.INFO, logger="crossmodal.encoding.folds"):
        folds = grouped_folds(run_ids, 5)
    assert len(folds) == 3
    assert sorted(np.unique(run_ids[test]).item() for _, test in folds) == [1, 2, 3]
    assert "leave-one-run-out" in caplog.text


def test_grouped_folds_need_two_runs():
    with pytest.raises(InputError, match="at least 2 training runs, got 1"):
        grouped_folds(np.zeros(30, dtype=int), 5)


def test_bootstrap_chunks_stay_inside_runs_and_keep_leftover_trs():
    run_ids = np.repeat([0, 1, 2], [95, 100, 47])
    chunks = _chunks_within_runs(run_ids, 40)
    assert [chunk.size for chunk in chunks] == [40, 40, 15, 40, 40, 20, 40, 7]
    np.testing.assert_array_equal(np.concatenate(chunks), np.arange(run_ids.size))  # no TR dropped
    for chunk in chunks:
        assert np.unique(run_ids[chunk]).size == 1
        assert np.all(np.diff(chunk) == 1)
    folds = bootstrap_chunk_folds(run_ids, chunk_len=40, n_boots=30, heldout_fraction=0.25, seed=3)
    chunk_of_sample = np.concatenate([np.full(chunk.size, index) for index, chunk in enumerate(chunks)])
    held_out_leftover = False
    for train, test in folds:
        np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(run_ids.size))
        held_chunks = np.unique(chunk_of_sample[test])
        assert held_chunks.size == 2  # round(0.25 * 8)
        # the test set is exactly a union of whole chunks
        assert test.size == sum(chunks[index].size for index in held_chunks)
        held_out_leftover |= bool(np.isin(held_chunks, [2, 5, 7]).any())
    assert held_out_leftover


def test_bootstrap_folds_same_seed_same_folds_other_seed_other_folds():
    run_ids = np.repeat(np.arange(4), 120)
    first = bootstrap_chunk_folds(run_ids, chunk_len=40, n_boots=5, heldout_fraction=0.2, seed=7)
    second = bootstrap_chunk_folds(run_ids, chunk_len=40, n_boots=5, heldout_fraction=0.2, seed=7)
    other = bootstrap_chunk_folds(run_ids, chunk_len=40, n_boots=5, heldout_fraction=0.2, seed=8)
    for (_, test), (_, test2) in zip(first, second):
        np.testing.assert_array_equal(test, test2)
    assert any(not np.array_equal(test, test2) for (_, test), (_, test2) in zip(first, other))


# ----------------------------------------------------------------------------- the solver


@pytest.mark.parametrize(
    "shape",
    [
        dict(n_samples=240, n_features=40, n_voxels=60),
        dict(n_samples=120, n_features=150, n_voxels=40),  # p > n: rank-deficient Grams
        dict(n_samples=300, n_features=64, n_voxels=80, decades=5.0),
    ],
    ids=["n>p", "p>n", "ill-conditioned"],
)
def test_fast_solver_matches_explicit_reference(shape):
    design, responses, run_ids = make_problem(**shape)
    reference = fit_ridge_cv(design, responses, run_ids, ALPHAS, solver="explicit")
    fit = fit_ridge_cv(design, responses, run_ids, ALPHAS)
    assert np.unique(reference.alphas_per_voxel).size >= 8  # the problem spreads the alphas
    np.testing.assert_array_equal(fit.alphas_per_voxel, reference.alphas_per_voxel)
    np.testing.assert_allclose(fit.cv_scores, reference.cv_scores, atol=2e-5)
    assert_weights_close(fit.weights, reference.weights)
    np.testing.assert_allclose(fit.response_mean, responses.mean(0), rtol=1e-6)


def test_explicit_reference_is_ridge_by_definition():
    design, responses, run_ids = make_problem(n_samples=90, n_features=12, n_voxels=3, n_runs=3)
    fit = fit_ridge_cv(design, responses, run_ids, ALPHAS, solver="explicit")
    centred_design = design.astype(np.float64) - design.mean(0, dtype=np.float64)
    centred_responses = responses.astype(np.float64) - responses.mean(0, dtype=np.float64)
    for voxel in range(3):
        alpha = float(fit.alphas_per_voxel[voxel])
        expected = np.linalg.solve(centred_design.T @ centred_design + alpha * np.eye(12),
                                   centred_design.T @ centred_responses[:, voxel])
        np.testing.assert_allclose(fit.weights[:, voxel], expected, rtol=1e-4, atol=1e-6)


def test_same_alphas_as_himalaya_ridgecv_with_the_same_folds():
    himalaya_backend = pytest.importorskip("himalaya.backend")
    from himalaya.ridge import RidgeCV
    from himalaya.scoring import correlation_score

    design, responses, run_ids = make_problem(n_samples=300, n_features=48, n_voxels=80, seed=4)
    folds = grouped_folds(run_ids, 5)
    himalaya_backend.set_backend("numpy")
    model = RidgeCV(alphas=ALPHAS, fit_intercept=True, cv=folds,
                    solver_params=dict(score_func=correlation_score))
    model.fit(design, responses)
    fit = fit_ridge_cv(design, responses, run_ids, ALPHAS, n_folds=5)
    np.testing.assert_allclose(fit.alphas_per_voxel, np.asarray(model.best_alphas_), rtol=1e-6)
    np.testing.assert_allclose(fit.cv_scores.max(0), np.asarray(model.cv_scores_), atol=1e-5)
    np.testing.assert_allclose(fit.predict(design), model.predict(design), atol=1e-3)


def test_bootstrap_cv_fit_matches_explicit_reference():
    design, responses, run_ids = make_problem(n_samples=200, n_features=30, n_voxels=30, n_runs=4)
    arguments = dict(cv="bootstrap", chunk_len=20, n_boots=4, heldout_fraction=0.2, seed=1)
    reference = fit_ridge_cv(design, responses, run_ids, ALPHAS, solver="explicit", **arguments)
    fit = fit_ridge_cv(design, responses, run_ids, ALPHAS, **arguments)
    np.testing.assert_array_equal(fit.alphas_per_voxel, reference.alphas_per_voxel)
    assert_weights_close(fit.weights, reference.weights)


def test_chunked_fit_gathered_equals_single_fit():
    design, responses, run_ids = make_problem(n_voxels=70)
    single = fit_ridge_cv(design, responses, run_ids, ALPHAS, voxel_batch=9)
    bounds = voxel_chunk_bounds(responses.shape[1], 3, voxel_batch=9)
    assert bounds == [(0, 27), (27, 45), (45, 70)]
    chunks = [fit_ridge_cv(design, responses, run_ids, ALPHAS, voxel_slice=slice(start, stop), voxel_batch=9)
              for start, stop in bounds]
    gathered = gather_fits(chunks)
    for name in ("weights", "alphas_per_voxel", "cv_scores", "response_mean", "design_mean", "alpha_grid"):
        np.testing.assert_array_equal(getattr(gathered, name), getattr(single, name), err_msg=name)
    assert gathered.fraction_at_lowest_alpha == single.fraction_at_lowest_alpha
    assert gathered.fraction_at_highest_alpha == single.fraction_at_highest_alpha


def test_unaligned_chunks_agree_to_float32_precision():
    design, responses, run_ids = make_problem(n_voxels=70)
    single = fit_ridge_cv(design, responses, run_ids, ALPHAS)
    bounds = voxel_chunk_bounds(responses.shape[1], 3)
    assert bounds == [(0, 23), (23, 47), (47, 70)]
    gathered = gather_fits([fit_ridge_cv(design, responses, run_ids, ALPHAS, voxel_slice=slice(start, stop))
                            for start, stop in bounds])
    np.testing.assert_array_equal(gathered.alphas_per_voxel, single.alphas_per_voxel)
    np.testing.assert_allclose(gathered.cv_scores, single.cv_scores, atol=1e-6)
    # Chunks of other widths take other BLAS kernels (float32 rounding): on this ill-conditioned problem the weights
    # differ by 3.5e-5 of their largest value with numpy 2.4 / OpenBLAS 0.3.31 (1e-5 held with older ones), and the
    # single fit itself is 1.0e-4 from the explicit solver. Chunking must lose no accuracy against that solver.
    assert_weights_close(gathered.weights, single.weights)
    reference = fit_ridge_cv(design, responses, run_ids, ALPHAS, solver="explicit")
    error = {name: np.abs(fit.weights - reference.weights).max() for name, fit in (("gathered", gathered), ("single", single))}
    assert error["gathered"] <= 2 * error["single"], error


def test_numpy_and_torch_backends_agree():
    pytest.importorskip("torch")
    design, responses, run_ids = make_problem(seed=2)
    numpy_fit = fit_ridge_cv(design, responses, run_ids, ALPHAS, backend="numpy")
    torch_fit = fit_ridge_cv(design, responses, run_ids, ALPHAS, backend="torch", device="cpu")
    np.testing.assert_array_equal(torch_fit.alphas_per_voxel, numpy_fit.alphas_per_voxel)
    np.testing.assert_allclose(torch_fit.cv_scores, numpy_fit.cv_scores, atol=1e-5)
    assert_weights_close(torch_fit.weights, numpy_fit.weights)


def test_responses_read_from_memmap_and_hdf5_dataset(tmp_path):
    design, responses, run_ids = make_problem(n_voxels=25)
    in_memory = fit_ridge_cv(design, responses, run_ids, ALPHAS, voxel_batch=10)
    memmap = np.lib.format.open_memmap(tmp_path / "responses.npy", mode="w+", dtype=np.float32,
                                       shape=responses.shape)
    memmap[:] = responses
    from_memmap = fit_ridge_cv(design, memmap, run_ids, ALPHAS, voxel_batch=10)
    with h5py.File(tmp_path / "responses.h5", "w") as file:
        file.create_dataset("responses", data=responses)
    with h5py.File(tmp_path / "responses.h5", "r") as file:
        from_hdf5 = fit_ridge_cv(design, file["responses"], run_ids, ALPHAS, voxel_batch=10)
    for fit in (from_memmap, from_hdf5):
        np.testing.assert_array_equal(fit.weights, in_memory.weights)
        np.testing.assert_array_equal(fit.alphas_per_voxel, in_memory.alphas_per_voxel)


def test_predict_uses_training_means_and_fractions_at_grid_ends():
    design, responses, run_ids = make_problem()
    fit = fit_ridge_cv(design, responses, run_ids, ALPHAS)
    shifted = design[:5] + 1.0
    expected = (shifted - fit.design_mean) @ fit.weights + fit.response_mean
    np.testing.assert_allclose(fit.predict(shifted), expected, rtol=1e-6)
    assert fit.fraction_at_lowest_alpha == np.mean(fit.alphas_per_voxel == np.float32(ALPHAS[0]))
    assert fit.fraction_at_highest_alpha == np.mean(fit.alphas_per_voxel == np.float32(ALPHAS[-1]))
    assert fit.cv_scores.dtype == np.float32 and fit.weights.dtype == np.float32


def test_constant_voxel_gets_zero_scores_and_weights():
    design, responses, run_ids = make_problem(n_voxels=4)
    responses[:, 1] = 3.0
    fit = fit_ridge_cv(design, responses, run_ids, ALPHAS)
    assert np.all(fit.cv_scores[:, 1] == 0.0)
    assert np.all(fit.weights[:, 1] == 0.0)
    assert np.all(np.isfinite(fit.cv_scores))


# ----------------------------------------------------------------------------- bad input


def test_bad_input_fails_with_one_clear_line():
    design, responses, run_ids = make_problem(n_voxels=5)
    with pytest.raises(InputError, match="responses: has 239 rows .TRs. but the design has 240"):
        fit_ridge_cv(design, responses[:-1], run_ids, ALPHAS)
    with pytest.raises(InputError, match="run_ids: has 239 labels but the design has 240 rows"):
        fit_ridge_cv(design, responses, run_ids[:-1], ALPHAS)
    with pytest.raises(InputError, match="needs at least 2 training runs, got 1"):
        fit_ridge_cv(design, responses, np.zeros_like(run_ids), ALPHAS)
    with pytest.raises(InputError, match="encoding.alphas: must be a non-empty list of positive"):
        fit_ridge_cv(design, responses, run_ids, [0.0, 1.0])
    with pytest.raises(InputError, match="encoding.cv: unknown cross-validation scheme 'kfold'"):
        fit_ridge_cv(design, responses, run_ids, ALPHAS, cv="kfold")
    with pytest.raises(InputError, match="only 1 chunk of 400 TRs"):
        fit_ridge_cv(design, responses, np.zeros_like(run_ids), ALPHAS, cv="bootstrap", chunk_len=400)
    broken = responses.copy()
    broken[3, 2] = np.nan
    with pytest.raises(InputError, match=r"responses: voxels \[2\] \(of 1\) contain NaN"):
        fit_ridge_cv(design, broken, run_ids, ALPHAS)
    message = str(pytest.raises(InputError, fit_ridge_cv, design[:, :, None], responses, run_ids, ALPHAS).value)
    assert "\n" not in message and message.startswith("design: must be 2-D")


# ----------------------------------------------------------------------------- I/O and helpers


def test_save_load_roundtrip_with_test_scores_and_attributes(tmp_path):
    design, responses, run_ids = make_problem(n_voxels=7)
    fit = fit_ridge_cv(design, responses, run_ids, ALPHAS)
    test_scores = np.linspace(-0.1, 0.5, 7, dtype=np.float32)
    path = save_fit(tmp_path / "sub" / "fit.h5", fit, test_scores=test_scores, subject="UTS01", layer=6)
    loaded = load_fit(path)
    for name in ("weights", "alphas_per_voxel", "cv_scores", "alpha_grid", "design_mean", "response_mean"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(fit, name), err_msg=name)
    np.testing.assert_array_equal(loaded.test_scores, test_scores)
    assert loaded.fraction_at_lowest_alpha == fit.fraction_at_lowest_alpha
    with h5py.File(path, "r") as file:
        assert file.attrs["subject"] == "UTS01" and file.attrs["layer"] == 6
        assert file["weights"].shape == (40, 7)
    assert load_fit(save_fit(tmp_path / "plain.h5", fit)).test_scores is None


def test_failed_save_leaves_no_file(tmp_path):
    design, responses, run_ids = make_problem(n_voxels=3)
    fit = fit_ridge_cv(design, responses, run_ids, ALPHAS)
    with pytest.raises(TypeError):
        save_fit(tmp_path / "fit.h5", fit, unstorable=object())
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError, match="test_scores: has shape"):
        save_fit(tmp_path / "fit.h5", fit, test_scores=np.zeros(2))
    assert list(tmp_path.iterdir()) == []


def test_correlate_columns_closed_form():
    a = np.array([[1, 0], [2, 5], [3, 5], [4, 5]], dtype=np.float32)
    b = np.array([[1, 1], [3, 2], [2, 3], [4, 4]], dtype=np.float32)
    # column 0: centred a = (-1.5, -.5, .5, 1.5), b = (-1.5, .5, -.5, 1.5): r = 4 / 5 = 0.8
    # column 1: r = (3 * -1.5 + ...) / ... computed by hand: a = (-3.75, 1.25, 1.25, 1.25)
    expected_1 = (-3.75 * -1.5 + 1.25 * (-0.5 + 0.5 + 1.5)) / np.sqrt((3.75 ** 2 + 3 * 1.25 ** 2) * 5.0)
    np.testing.assert_allclose(correlate_columns(a, b), [0.8, expected_1], rtol=1e-6)
    large = np.float32(1e4) + np.arange(6, dtype=np.float32)[:, None]  # float32 with a large mean
    np.testing.assert_allclose(correlate_columns(large, -large), [-1.0], rtol=1e-6)
    constant = np.ones((6, 1), dtype=np.float32)
    assert correlate_columns(constant, large)[0] == 0.0
    assert correlate_columns(large, constant)[0] == 0.0


def test_voxel_chunk_bounds_cover_all_voxels():
    assert voxel_chunk_bounds(10, 1) == [(0, 10)]
    assert voxel_chunk_bounds(3, 5) == [(0, 1), (1, 2), (2, 3)]
    bounds = voxel_chunk_bounds(95000, 7)
    assert voxel_chunk_bounds(95000, 4, voxel_batch=10000) == [(0, 20000), (20000, 50000), (50000, 80000),
                                                                 (80000, 95000)]
    assert len(voxel_chunk_bounds(95000, 40, voxel_batch=10000)) == 10
    assert bounds[0][0] == 0 and bounds[-1][1] == 95000
    assert all(stop == next_start for (_, stop), (next_start, _) in zip(bounds, bounds[1:]))
    with pytest.raises(InputError, match="encoding.voxel_chunks: must be at least 1"):
        voxel_chunk_bounds(10, 0)


def test_cv_folds_dispatch_and_ridge_fit_type():
    run_ids = np.repeat(np.arange(5), 40)
    assert len(cv_folds(run_ids, "grouped", n_folds=5)) == 5
    assert len(cv_folds(run_ids, "bootstrap", n_boots=3, chunk_len=10)) == 3
    assert RidgeFit.__dataclass_fields__.keys() >= {"weights", "alphas_per_voxel", "cv_scores"}


def test_fit_does_not_modify_responses_in_place(tmp_path):
    design, responses, run_ids = make_problem(n_voxels=6)
    original = responses.copy()
    fit_ridge_cv(design, responses, run_ids, ALPHAS, voxel_batch=4)
    np.testing.assert_array_equal(responses, original)
    memmap = np.lib.format.open_memmap(tmp_path / "r.npy", mode="w+", dtype=np.float32, shape=responses.shape)
    memmap[:] = responses
    fit_ridge_cv(design, memmap, run_ids, ALPHAS)
    np.testing.assert_array_equal(np.load(tmp_path / "r.npy"), original)
