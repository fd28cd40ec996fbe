"""Tests of crossmodal.plots: every figure function draws a non-empty image from small synthetic arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from crossmodal.plots import save_figure
from crossmodal.plots.components import image_grid, sharedness_bars, words_per_component
from crossmodal.plots.gather import performance_maps, ratio_maps, within_cross_points
from crossmodal.regions import RegionMap
from crossmodal.plots.results import alpha_histograms, model_comparison, no_mask_note, region_bars, retrieval_bars, within_vs_cross
from crossmodal.plots.surface import N_VERTICES_HEMI, flatmap_grid
from crossmodal.plots.validation import detection_matrix, recovery_panel

DIRECTIONS = ("story_to_movie", "movie_to_story")


def assert_image(path):
    """The PNG exists, has a size, and is not one flat colour."""
    image = np.asarray(Image.open(path).convert("L"), dtype=float)
    assert image.shape[0] > 50 and image.shape[1] > 50
    assert image.std() > 1.0


def fake_patches():
    """A regular grid triangulation standing in for a flat hemisphere (10242 vertices)."""
    side = int(np.ceil(np.sqrt(N_VERTICES_HEMI)))
    xy = np.stack(np.meshgrid(np.arange(side), np.arange(side)), axis=-1).reshape(-1, 2)[:N_VERTICES_HEMI].astype(float)
    faces = []
    for row in range(side - 1):
        for col in range(side - 1):
            a, b, c, d = row * side + col, row * side + col + 1, (row + 1) * side + col, (row + 1) * side + col + 1
            if d < N_VERTICES_HEMI:
                faces += [(a, b, c), (b, d, c)]
    return {hemi: (xy, np.array(faces)) for hemi in ("left", "right")}


def fake_scores(n_voxels=2 * N_VERTICES_HEMI, seed=0):
    rng = np.random.default_rng(seed)
    results = {}
    for direction in DIRECTIONS:
        arrays = {"sign": np.ones(n_voxels, np.float32)}
        for score in ("raw", "corrected", "within"):
            r = rng.normal(0.05, 0.1, n_voxels).astype(np.float32)
            arrays[f"{score}_r"], arrays[f"{score}_significant"] = r, r > 0.15
            arrays[f"{score}_ratio"] = np.where(r > 0.15, rng.uniform(-1, 1, n_voxels), np.nan).astype(np.float32)
        results[direction, "linear"] = arrays
    return results


def test_flatmap_grid(tmp_path):
    results = fake_scores()
    maps = performance_maps(results, "linear")
    assert len(maps) == 6
    save_figure(flatmap_grid(maps, title="test", patches=fake_patches()), tmp_path / "flat.png")
    assert_image(tmp_path / "flat.png")
    save_figure(flatmap_grid(ratio_maps(results, "linear"), cmap="PuOr_r", vmin=-1, vmax=1, patches=fake_patches()), [tmp_path / "ratio.png", tmp_path / "ratio.pdf"])
    assert_image(tmp_path / "ratio.png")
    assert (tmp_path / "ratio.pdf").stat().st_size > 0


def test_region_and_scatter_figures(tmp_path):
    rng = np.random.default_rng(0)
    rows = [
        {"subject": s, "direction": d, "score": sc, "region": reg, "mean_score": rng.normal(0.05, 0.02), "fraction_significant": rng.uniform()}
        for s in ("S1", "S2") for d in DIRECTIONS for sc in ("raw", "corrected", "within") for reg in ("occipital", "temporal", "parietal")
    ]
    save_figure(region_bars(pd.DataFrame(rows), title="regions"), tmp_path / "bars.png")
    assert_image(tmp_path / "bars.png")
    regions = [RegionMap(rng.integers(3, size=500).astype(np.int16), ("a", "b", "c"), *np.zeros((2, 500), bool)),
               RegionMap(rng.integers(2, size=400).astype(np.int16), ("c", "d"), *np.zeros((2, 400), bool))]
    points, names = within_cross_points([fake_scores(500, 0), fake_scores(400, 1)], regions, "linear")
    assert names == ("a", "b", "c", "d")
    # subject 2's "c" (its label 0) and "d" (label 1) map to the union's 2 and 3
    assert np.array_equal(points["story_to_movie"]["region"][500:], regions[1].labels + 2)
    assert np.array_equal(points["story_to_movie"]["region"][:500], regions[0].labels)
    save_figure(within_vs_cross(points, names), tmp_path / "scatter.png")
    assert_image(tmp_path / "scatter.png")
    comparison = {d: (rng.normal(size=300), rng.normal(size=300)) for d in DIRECTIONS}
    rows = [{"subject": s, "direction": d, "score": "raw", "mask_available": s != "UTS02", "n_voxels": 150, "mean_difference": 0.02,
             "ci_low": 0.01, "ci_high": 0.04} for s in ("UTS01", "UTS02") for d in DIRECTIONS]
    rows += [{"subject": "all subjects", "direction": d, "score": "raw", "mask_available": False, "n_voxels": 300, "mean_difference": 0.02,
              "n_subjects": 2, "p": 0.3} for d in DIRECTIONS]
    table = pd.DataFrame(rows)
    assert no_mask_note(table).startswith("NO primary-sensory mask for UTS02")
    assert no_mask_note(table[table["subject"] != "UTS02"]) == ""
    save_figure(model_comparison(comparison, table, ("multimodal", "unimodal"), "raw"), tmp_path / "compare.png")
    assert_image(tmp_path / "compare.png")


def test_retrieval_and_alpha_figures(tmp_path):
    table = pd.DataFrame([
        {"model": m, "layer": "cross.1", "method": method, "direction": d, "recall_at_1": 0.1, "recall_at_5": 0.3, "recall_at_10": 0.5,
         "chance_recall_at_1": 0.005}
        for m in ("a", "b") for method in ("linear", "shuffled") for d in ("image_to_text", "text_to_image")
    ])
    save_figure(retrieval_bars(table), tmp_path / "retrieval.png")
    assert_image(tmp_path / "retrieval.png")
    grid = np.logspace(0, 4, 20)
    rng = np.random.default_rng(0)
    alphas = {f"fit {i}": grid[rng.integers(20, size=400)] for i in range(3)}
    save_figure(alpha_histograms(alphas, grid), tmp_path / "alphas.png")
    assert_image(tmp_path / "alphas.png")


def test_component_figures(tmp_path):
    rng = np.random.default_rng(0)
    k = 4
    r = rng.uniform(-0.1, 0.6, k)
    table = pd.DataFrame({
        "component": np.arange(1, k + 1), "explained_variance_ratio": np.sort(rng.uniform(0, 0.3, k))[::-1], "sharedness": r,
        "ci_low": r - 0.1, "ci_high": r + 0.1, "null_low": -0.12, "null_high": 0.12, "p_value": np.where(r > 0.15, 0.001, 0.5),
        "random_median": 0.2, "random_95": 0.35, "nonmultimodal_sharedness": r - 0.2, "shared": r > 0.2, "more_shared_than_random": r > 0.35,
    })
    save_figure(sharedness_bars(table), tmp_path / "shared.png")
    assert_image(tmp_path / "shared.png")
    words = pd.DataFrame([
        {"component": c, "end": end, "rank": i + 1, "word": f"w{c}{end[0]}{i}", "projection": 1.0}
        for c in range(1, k + 1) for end in ("top", "bottom") for i in range(5)
    ])
    save_figure(words_per_component(words, 5), tmp_path / "words.png")
    assert_image(tmp_path / "words.png")
    thumbnails = rng.integers(0, 255, size=(k, 2, 3, 16, 16, 3), dtype=np.uint8)
    save_figure(image_grid({"pairs": thumbnails, "frames": thumbnails}), tmp_path / "images.png")
    assert_image(tmp_path / "images.png")


def test_detection_matrix_and_recovery_panel(tmp_path):
    voxel_class = np.array([0, 0, 1, 2, 3, 3])
    s2m = np.array([False, True, False, False, True, True])
    m2s = np.array([False, False, False, False, True, False])
    matrix = detection_matrix(voxel_class, s2m, m2s, 4)
    np.testing.assert_allclose(matrix[0], [0.5, 0.5, 0, 0])
    np.testing.assert_allclose(matrix[3], [0, 0.5, 0, 0.5])
    np.testing.assert_allclose(np.nansum(matrix, axis=1), 1.0)
    cosines = pd.DataFrame({"model": "m", "layer": "cross.1", "component": [1, 2, 3], "cosine": [0.99, 0.9, 0.5]})
    save_figure(recovery_panel({"m": matrix}, ["none", "language-only", "vision-only", "multimodal"], cosines), tmp_path / "recovery.png")
    assert_image(tmp_path / "recovery.png")


def test_flatmap_on_fsaverage5(tmp_path):
    pytest.importorskip("nilearn")
    results = fake_scores()
    save_figure(flatmap_grid(ratio_maps(results, "linear"), vmin=-1, vmax=1), tmp_path / "fsaverage5.png")
    assert_image(tmp_path / "fsaverage5.png")


def test_read_scores_matches_the_transfer_writer(tmp_path):
    from crossmodal.plots.gather import read_scores
    from crossmodal.transfer.subject import load_scores, save_scores

    results = fake_scores(50)
    save_scores(tmp_path / "scores.h5", results, subject="S1")
    light, reference = read_scores(tmp_path / "scores.h5"), load_scores(tmp_path / "scores.h5")
    assert light.keys() == reference.keys()
    for key in reference:
        for name in reference[key]:
            np.testing.assert_array_equal(light[key][name], reference[key][name])
