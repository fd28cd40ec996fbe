"""Tests of crossmodal.pca: delay averaging, PCA subspace recovery, principal angles, sharedness, I/O."""

from __future__ import annotations

import numpy as np
import pytest

from crossmodal.errors import InputError
from crossmodal.pca import (
    average_by_label,
    delay_average,
    fit_pca,
    load_pca,
    multimodal_mask,
    normalise_rows,
    planted_subspace,
    principal_angle_cosines,
    project,
    save_pca,
    select_voxels,
    sharedness,
    top_bottom,
)


def planted_weights(n_voxels=600, n_features=32, rank=4, noise=0.05, seed=0):
    """Weight vectors of voxels that mix `rank` planted directions, plus isotropic noise."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((n_features, rank)))
    mixing = rng.standard_normal((n_voxels, rank)) * np.array([4.0, 3.0, 2.0, 1.5])[:rank]
    return mixing @ basis.T + noise * rng.standard_normal((n_voxels, n_features)), basis.T


def test_delay_average_follows_delay_major_layout():
    n_features, n_delays, n_voxels = 5, 4, 3
    per_delay = np.arange(n_delays)[:, None, None] + np.zeros((n_delays, n_features, n_voxels))
    weights = per_delay.reshape(n_delays * n_features, n_voxels)
    np.testing.assert_allclose(delay_average(weights, n_delays), np.full((n_features, n_voxels), 1.5))
    with pytest.raises(InputError):
        delay_average(np.zeros((10, 2)), 4)


def test_normalise_rows_unit_length_and_zero_rows():
    rows = normalise_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(rows, [[0.6, 0.8], [0.0, 0.0]])


def test_pca_recovers_planted_low_rank_subspace():
    vectors, basis = planted_weights()
    result = fit_pca(normalise_rows(vectors), n_components=10)
    assert result.components.shape == (10, 32)
    np.testing.assert_allclose(result.components @ result.components.T, np.eye(10), atol=1e-10)
    cosines = principal_angle_cosines(result.components[:4], basis)
    assert cosines.min() > 0.98
    assert result.explained_variance_ratio[:4].sum() > 0.9
    assert np.all(np.diff(result.explained_variance_ratio) <= 1e-12)


def test_pca_clips_components_and_fixes_signs():
    rng = np.random.default_rng(1)
    result = fit_pca(rng.standard_normal((6, 20)), n_components=10)
    assert len(result.components) == 5  # n_items - 1 when centred
    largest = result.components[np.arange(5), np.argmax(np.abs(result.components), axis=1)]
    assert np.all(largest > 0)


def test_principal_angles_of_orthogonal_and_equal_subspaces():
    eye = np.eye(6)
    np.testing.assert_allclose(principal_angle_cosines(eye[:2], eye[:2] * 3 + 0), [1, 1])
    np.testing.assert_allclose(principal_angle_cosines(eye[:2], eye[2:4]), [0, 0], atol=1e-12)


def test_sharedness_high_for_shared_dimension_near_zero_for_shuffled():
    rng = np.random.default_rng(0)
    n_pairs = 300
    latent = rng.standard_normal(n_pairs)
    text = np.column_stack([latent + 0.3 * rng.standard_normal(n_pairs), rng.standard_normal(n_pairs)])
    image = np.column_stack([latent + 0.3 * rng.standard_normal(n_pairs), rng.standard_normal(n_pairs)])
    shuffled = image.copy()
    shuffled[:, 0] = image[rng.permutation(n_pairs), 0]
    shared = sharedness(text, image, n_permutations=300, seed=0)
    assert shared["r"][0] > 0.8 and shared["p_value"][0] < 0.01
    assert shared["ci_low"][0] < shared["r"][0] < shared["ci_high"][0]
    assert abs(shared["r"][1]) < 0.2
    null = sharedness(text, shuffled, n_permutations=300, seed=0)
    assert abs(null["r"][0]) < 0.2
    assert null["null_low"][0] < null["r"][0] < null["null_high"][0]
    again = sharedness(text, image, n_permutations=300, seed=0)
    np.testing.assert_array_equal(shared["ci_low"], again["ci_low"])  # seeded


def test_select_voxels_both_directions_and_fallback():
    n = 10
    significant = {
        ("story_to_movie", "linear"): {"corrected_significant": np.arange(n) < 6, "corrected_r": np.linspace(0.5, 0.0, n)},
        ("movie_to_story", "linear"): {"corrected_significant": np.arange(n) >= 4, "corrected_r": np.linspace(0.0, 0.5, n)},
    }
    mask = multimodal_mask(significant)
    np.testing.assert_array_equal(np.flatnonzero(mask), [4, 5])
    mask, how = select_voxels(significant, min_voxels=2)
    assert how == "significant" and mask.sum() == 2
    mask, how = select_voxels(significant, min_voxels=4)
    assert how == "top" and mask.sum() == 4
    assert set(np.flatnonzero(mask)) == {3, 4, 5, 6}  # highest min(r1, r2) in the middle
    with pytest.raises(InputError):
        multimodal_mask(significant, alignment="none")


def test_projection_words_and_ranking():
    features = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 2.0], [0.0, -2.0]])
    words, means, counts = average_by_label(features, ["a", "a", "b", "c"])
    np.testing.assert_array_equal(words, ["a", "b", "c"])
    np.testing.assert_allclose(means[0], [2.0, 0.0])
    np.testing.assert_array_equal(counts, [2, 1, 1])
    projections = project(means, np.array([[0.0, 1.0]]), feature_std=np.array([1.0, 2.0]))
    np.testing.assert_allclose(projections[:, 0], [0.0, 1.0, -1.0])
    top, bottom = top_bottom(projections, 2)
    np.testing.assert_array_equal(top[0], [1, 0])
    np.testing.assert_array_equal(bottom[0], [2, 0])


def test_planted_subspace_contains_concept_decoders():
    rng = np.random.default_rng(0)
    n_trs, n_features, n_delays, n_concepts = 400, 12, 2, 3
    design = rng.standard_normal((n_trs, n_features * n_delays))
    true = rng.standard_normal((n_features, n_concepts))
    concepts = design[:, :n_features] @ true + design[:, n_features:] @ true
    basis = planted_subspace(design, concepts, n_delays, alpha=1e-6)
    assert basis.shape == (n_concepts, n_features)
    np.testing.assert_allclose(principal_angle_cosines(basis, true.T), 1.0, atol=1e-6)


def test_save_and_load_pca(tmp_path):
    arrays = {"components": np.eye(3), "words": np.array(["a", "b"]), "counts": np.array([1, 2])}
    shared = {"r": np.array([0.5, 0.1, 0.0])}
    save_pca(tmp_path / "pca.h5", arrays, shared, model="m", n_voxels=3)
    loaded, loaded_shared, attrs = load_pca(tmp_path / "pca.h5")
    np.testing.assert_array_equal(loaded["words"], ["a", "b"])
    np.testing.assert_array_equal(loaded["components"], np.eye(3))
    np.testing.assert_array_equal(loaded_shared["r"], shared["r"])
    assert attrs == {"model": "m", "n_voxels": 3}


def test_each_subject_weights_use_its_own_feature_scaling(tmp_path):
    """The same tuning in two subjects whose designs were z-scored differently gives the same pooled vector."""
    from crossmodal.encoding.io import save_fit
    from crossmodal.encoding.ridge import RidgeFit
    from crossmodal.pca.analysis import PCASettings, common_scaling, pool_weights
    from crossmodal.scorefile import save_scores

    rng = np.random.default_rng(3)
    n_features, n_delays, n_voxels = 6, 2, 5
    tuning = rng.standard_normal((n_features, n_voxels))  # weights in feature units
    stds = {"S1": np.full(n_features, 1.0), "S2": rng.uniform(0.5, 2.0, n_features)}
    fits, scores = {}, {}
    for subject, std in stds.items():
        weights = np.tile(tuning * std[:, None], (n_delays, 1)).astype(np.float32)  # z-scored design: weight = std * tuning
        fit = RidgeFit(weights, np.ones(n_voxels, np.float32), np.zeros((1, n_voxels), np.float32), np.ones(1),
                       np.zeros(n_features * n_delays, np.float32), np.zeros(n_voxels, np.float32), 0.0, 0.0)
        fits[subject] = save_fit(tmp_path / f"{subject}_fit.h5", fit, subject=subject)
        significant = {f"{kind}_significant": np.ones(n_voxels, bool) for kind in ("raw", "corrected")}
        save_scores(tmp_path / f"{subject}_scores.h5", {(d, "linear"): significant for d in ("story_to_movie", "movie_to_story")}, subject=subject)
        scores[subject] = tmp_path / f"{subject}_scores.h5"
    pooled = pool_weights(fits, scores, stds, n_delays, PCASettings.from_config(min_voxels=0))
    common = common_scaling(stds)
    np.testing.assert_allclose(pooled.vectors[:n_voxels], pooled.vectors[n_voxels:], rtol=1e-5)
    np.testing.assert_allclose(pooled.vectors[:n_voxels], normalise_rows((tuning * common[:, None]).T), rtol=1e-5)


def test_random_direction_baseline_can_fail():
    """A direction the captions carry and the images predict beats random directions; one they lack does not."""
    from crossmodal.pca import against_baseline, direction_sharedness, random_directions

    rng = np.random.default_rng(5)
    n_pairs, n_features = 300, 20
    concept = rng.standard_normal((n_pairs, 1))
    shared_axis, caption_axis = np.eye(n_features)[0], np.eye(n_features)[1]
    noise = 0.8 * rng.standard_normal((n_pairs, n_features))
    captions = concept * shared_axis + rng.standard_normal((n_pairs, 1)) * caption_axis + noise
    images = concept * shared_axis + 0.8 * rng.standard_normal((n_pairs, n_features))
    directions = np.stack([shared_axis, caption_axis])
    r = direction_sharedness(captions, images, directions)
    random_r = direction_sharedness(captions, images, random_directions(500, n_features, seed=1))
    result = against_baseline(r, random_r)
    assert result["p"][0] < 0.01 and result["p"][1] > 0.5
    assert np.isclose(result["percentile"][0], np.mean(random_r < r[0]))
    np.testing.assert_allclose(np.linalg.norm(random_directions(3, 4, 0), axis=1), 1.0)
