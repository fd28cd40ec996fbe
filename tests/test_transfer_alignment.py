"""Tests of crossmodal.transfer.alignment: ridge maps and retrieval."""

import numpy as np
import pytest

from crossmodal.errors import InputError
from crossmodal.transfer import (
    AlignmentMap,
    alignment_report,
    chance_recall,
    correlate_columns,
    cv_folds,
    fit_alignment,
    fit_pair_maps,
    retrieval_metrics,
    retrieval_ranks,
)

ALPHAS = np.logspace(-2, 4, 7)


def _planted_spaces(n, d_source, d_target, noise, seed):
    rng = np.random.default_rng(seed)
    scales = rng.uniform(0.5, 3.0, d_source)
    offsets = rng.normal(0, 5, d_source)
    source = (rng.standard_normal((n, d_source)) * scales + offsets).astype(np.float32)
    mapping = rng.standard_normal((d_source, d_target)) / np.sqrt(d_source)
    target = ((source - offsets) / scales @ mapping + noise * rng.standard_normal((n, d_target)) + 1.0).astype(np.float32)
    return source, target


def _r2(y, prediction):
    return np.mean(1 - ((y - prediction) ** 2).sum(0) / ((y - y.mean(0)) ** 2).sum(0))


def test_cv_scores_and_weights_equal_brute_force_ridge():
    source, target = _planted_spaces(600, 20, 15, noise=1.0, seed=0)
    source[:, 3] = 2.5  # a constant column
    groups = np.arange(600) // 3
    fitted = fit_alignment(source, target, ALPHAS, n_folds=4, seed=5, groups=groups)
    fold = cv_folds(600, 4, 5, groups)
    assert all(len(set(fold[groups == g])) == 1 for g in range(0, 200, 17))  # groups stay together

    def ridge(x_train, y_train, alpha):
        mx, sx = x_train.mean(0), x_train.std(0)
        sx[sx < 1e-6] = 1
        my, sy = y_train.mean(0), y_train.std(0)
        xs, ys = (x_train - mx) / sx, (y_train - my) / sy
        weights = np.linalg.solve(xs.T @ xs + alpha * np.eye(xs.shape[1]), xs.T @ ys)
        return weights, lambda x: ((x - mx) / sx) @ weights * sy + my

    x64, y64 = source.astype(float), target.astype(float)
    expected = np.zeros(len(ALPHAS))
    for f in range(4):
        for a, alpha in enumerate(ALPHAS):
            _, predict = ridge(x64[fold != f], y64[fold != f], alpha)
            expected[a] += _r2(y64[fold == f], predict(x64[fold == f])) / 4
    np.testing.assert_allclose(fitted.cv_scores, expected, atol=1e-10)
    assert fitted.alpha == ALPHAS[np.argmax(expected)]
    weights, predict = ridge(x64, y64, fitted.alpha)
    np.testing.assert_allclose(fitted.weights, weights, atol=1e-5)
    np.testing.assert_allclose(fitted.transform(source), predict(x64), atol=1e-4)


def test_alignment_recovers_a_planted_linear_map():
    source, target = _planted_spaces(3000, 40, 30, noise=0.1, seed=1)
    train, test = slice(0, 2000), slice(2000, None)
    fitted = fit_alignment(source[train], target[train], ALPHAS, seed=0)
    mapped = fitted.transform(source[test])
    assert mapped.shape == (1000, 30) and mapped.dtype == np.float32
    assert np.all(correlate_columns(mapped, target[test]) > 0.95)
    metrics = retrieval_metrics(fitted.transform(source[test], standardized=True), fitted.standardize_target(target[test]))
    assert metrics["recall_at_1"] > 0.9 and metrics["median_rank"] == 1
    restored = AlignmentMap.from_arrays(fitted.to_arrays())
    np.testing.assert_array_equal(restored.transform(source[test]), mapped)


def test_fit_alignment_is_deterministic_and_validates():
    source, target = _planted_spaces(200, 8, 6, noise=0.5, seed=2)
    a = fit_alignment(source, target, ALPHAS, seed=3)
    b = fit_alignment(source, target, ALPHAS, seed=3)
    np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(a.cv_scores, b.cv_scores)
    with pytest.raises(InputError, match="rows"):
        fit_alignment(source, target[:-1], ALPHAS)
    with pytest.raises(InputError, match="positive"):
        fit_alignment(source, target, [0.0, 1.0])
    with pytest.raises(InputError, match="groups"):
        fit_alignment(source, target, ALPHAS, n_folds=5, groups=np.arange(200) % 3)


def _pairs(n_images, captions_per_image, seed, d_image=24, d_text=24):
    rng = np.random.default_rng(seed)
    images = rng.standard_normal((n_images, d_image)).astype(np.float32)
    mapping = rng.standard_normal((d_image, d_text)) / np.sqrt(d_image)
    caption_to_image = np.repeat(np.arange(n_images), captions_per_image)
    captions = (images[caption_to_image] @ mapping + 0.3 * rng.standard_normal((len(caption_to_image), d_text))).astype(np.float32)
    return images, captions, caption_to_image


def test_alignment_report_beats_shuffled_baseline_at_chance():
    images, captions, index = _pairs(600, 5, seed=10)  # one planted map; images 0-399 train, 400-599 test
    train = images[:400], captions[:2000], index[:2000]
    test = images[400:], captions[2000:], index[2000:] - 400
    rows = alignment_report(*train, *test, ALPHAS, n_folds=5, seed=0)
    table = {(row["method"], row["direction"]): row for row in rows}
    assert set(table) == {(m, d) for m in ("linear", "shuffled", "unaligned") for d in ("image_to_text", "text_to_image")}
    for direction in ("image_to_text", "text_to_image"):
        linear, shuffled = table["linear", direction], table["shuffled", direction]
        assert linear["recall_at_1"] > 0.8 and linear["median_rank"] == 1
        chance = shuffled["chance_recall_at_1"]
        assert shuffled["recall_at_1"] < 4 * chance + 0.01
        assert shuffled["recall_at_10"] < 0.2
        assert shuffled["median_rank"] > shuffled["n_gallery"] / 4
    assert table["linear", "text_to_image"]["n_queries"] == 1000 and table["linear", "text_to_image"]["n_gallery"] == 200
    assert table["linear", "image_to_text"]["n_queries"] == 200 and table["linear", "image_to_text"]["n_gallery"] == 1000
    assert table["linear", "text_to_image"]["chance_recall_at_1"] == pytest.approx(1 / 200)
    # unaligned only when the dimensions match
    images, captions, index = _pairs(150, 2, 1, 10, 12)
    rows = alignment_report(images[:100], captions[:200], index[:200], images[100:], captions[200:], index[200:] - 100, ALPHAS)
    assert {row["method"] for row in rows} == {"linear", "shuffled"}


def test_fit_pair_maps_shuffled_is_seeded():
    images, captions, index = _pairs(60, 3, seed=4)
    a = fit_pair_maps(images, captions, index, ALPHAS, seed=1, shuffled=True)
    b = fit_pair_maps(images, captions, index, ALPHAS, seed=1, shuffled=True)
    np.testing.assert_array_equal(a["image_to_text"].weights, b["image_to_text"].weights)
    assert a["text_to_image"].weights.shape == (24, 24)


def test_retrieval_identity_gives_perfect_scores():
    rng = np.random.default_rng(0)
    features = rng.standard_normal((50, 16))
    assert retrieval_metrics(features, features) == {"recall_at_1": 1.0, "recall_at_5": 1.0, "recall_at_10": 1.0, "median_rank": 1.0}


def test_retrieval_reversed_closed_form():
    n = 40
    angles = np.arange(n) * (np.pi / 2) / n  # gallery on a quarter circle, all distinct
    gallery = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    query = np.tile([[1.0, 0.0]], (n, 1)) * np.arange(1, n + 1)[:, None]  # all at angle 0 (norms differ)
    ranks = retrieval_ranks(query, gallery, query_to_gallery=np.arange(n)[::-1])
    np.testing.assert_array_equal(ranks, n - np.arange(n))
    metrics = retrieval_metrics(query, gallery, query_to_gallery=np.arange(n)[::-1])
    assert metrics == {"recall_at_1": 1 / n, "recall_at_5": 5 / n, "recall_at_10": 10 / n, "median_rank": (n + 1) / 2}


def test_retrieval_several_captions_per_image_and_ties():
    gallery = np.array([[1.0, 0.0], [0.0, 1.0], [0.7, 0.7], [-1.0, 0.0]])
    query = np.array([[0.0, 1.0], [1.0, 0.1]])
    # gallery items 0 and 3 belong to query 0, items 1 and 2 to query 1
    ranks = retrieval_ranks(query, gallery, gallery_to_query=np.array([0, 1, 1, 0]))
    # query 0 = (0,1): sims 0, 1, .71, 0 -> best correct 0 (item 0), incorrect >= 0: items 1, 2 -> rank 3
    # query 1 = (1,.1): sims .995, .0995, .77, -.995 -> best correct .77, incorrect >= : item 0 -> rank 2
    np.testing.assert_array_equal(ranks, [3, 2])
    zeros = np.zeros((5, 3))
    np.testing.assert_array_equal(retrieval_ranks(zeros, zeros), 5)  # ties count against the query
    with pytest.raises(InputError, match="(?i)pass query_to_gallery"):
        retrieval_ranks(np.ones((3, 2)), np.ones((4, 2)))
    with pytest.raises(InputError, match="no correct item"):
        retrieval_ranks(np.ones((3, 2)), np.ones((2, 2)), gallery_to_query=np.array([0, 1]))


def test_chance_recall():
    assert chance_recall(100, 1, 1) == pytest.approx(0.01)
    assert chance_recall(100, 5, 1) == pytest.approx(0.05)
    assert chance_recall(10, 1, 10) == 1.0
