"""The synthetic dataset: deterministic, planted by location, and recoverable in principle."""

import h5py
import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from crossmodal.data import load_ds003020, load_shortclips
from crossmodal.regions import fsaverage5_regions
from crossmodal.simulate import TEST_STORY, simulate_dataset
from crossmodal.simulate.brain import LANGUAGE_ONLY, MULTIMODAL, NONE, VISION_ONLY, canonical_hrf

from conftest import SMALL_SETTINGS, synthetic_paths


def _all_arrays(path):
    arrays = {}
    with h5py.File(path, "r") as handle:
        handle.visititems(lambda name, obj: arrays.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return arrays


def test_same_seed_same_files(small_dataset, tmp_path):
    again = synthetic_paths(tmp_path)
    simulate_dataset(SMALL_SETTINGS, again)
    for relative in ["derivative/preprocessed_data/UTS01/souls.hf5", "derivative/TextGrids/souls.TextGrid", "derivative/respdict.json"]:
        assert (small_dataset.stories_root / relative).read_bytes() == (again.stories_root / relative).read_bytes() or relative.endswith(".hf5")
    for path_a, path_b in [
        (small_dataset.ground_truth, again.ground_truth),
        (small_dataset.stories_root / "derivative/preprocessed_data/UTS01/souls.hf5", again.stories_root / "derivative/preprocessed_data/UTS01/souls.hf5"),
        (small_dataset.movies_root / "responses/UTS01_responses.hdf", again.movies_root / "responses/UTS01_responses.hdf"),
        (small_dataset.movies_root / "stimuli/test.hdf", again.movies_root / "stimuli/test.hdf"),
    ]:
        a, b = _all_arrays(path_a), _all_arrays(path_b)
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert (small_dataset.pairs_root / "dataset_flickr30k.json").read_text() == (again.pairs_root / "dataset_flickr30k.json").read_text()


def test_other_seed_other_data(small_dataset, tmp_path):
    from dataclasses import replace

    other = synthetic_paths(tmp_path)
    simulate_dataset(replace(SMALL_SETTINGS, seed=1), other)
    a = load_shortclips(small_dataset.movies_root, "UTS01").test_runs[0].read()
    b = load_shortclips(other.movies_root, "UTS01").test_runs[0].read()
    assert not np.allclose(a, b)


def test_files_pass_loader_invariants(small_dataset):
    stories = load_ds003020(small_dataset.stories_root, "UTS01", [TEST_STORY])
    movies = load_shortclips(small_dataset.movies_root, "UTS01")
    assert stories.n_voxels == movies.n_voxels == 20484
    for run in stories.runs + movies.runs:
        responses = run.read()
        np.testing.assert_allclose(responses.mean(axis=0)[responses.std(axis=0) > 0], 0, atol=1e-4)
    words = stories.stimuli[TEST_STORY]
    assert words.times.max() < stories.test_runs[0].tr_times.max()


def test_classes_planted_by_location(small_dataset):
    regions = fsaverage5_regions()
    with h5py.File(small_dataset.ground_truth, "r") as truth:
        voxel_class = truth["voxel_class"][()]
        weights = truth["concept_weights"][()]
        assert truth.attrs["seed"] == 0 and truth.attrs["n_concepts"] == 8
    assert np.all(voxel_class[regions.mask("occipital")] == VISION_ONLY)
    assert np.all(voxel_class[~regions.mask("occipital")] != VISION_ONLY)
    multimodal_regions = regions.labels[voxel_class == MULTIMODAL]
    assert set(np.unique(multimodal_regions)) <= {regions.names.index(n) for n in ("parietal", "temporal", "prefrontal")}
    for planted in (LANGUAGE_ONLY, MULTIMODAL):
        assert 0.01 < np.mean(voxel_class == planted) < 0.15
    assert np.mean(voxel_class == NONE) > 0.5
    assert np.all(weights[voxel_class == NONE] == 0) and np.all(np.abs(weights[voxel_class == MULTIMODAL]).sum(axis=1) > 0)


def test_hrf_closed_form():
    hrf = canonical_hrf(2.0)
    assert hrf.sum() == pytest.approx(1.0)
    assert 4.0 <= 2.0 * np.argmax(hrf) <= 6.0  # peak 4-6 s after the event
    assert hrf[6:].min() < 0  # undershoot


def _ridge_test_correlation(train_x, train_y, test_x, test_y, alpha=1.0):
    mean_x, mean_y = train_x.mean(0), train_y.mean(0)
    x, y = train_x - mean_x, train_y - mean_y
    weights = np.linalg.solve(x.T @ x + alpha * np.eye(x.shape[1]), x.T @ y)
    predicted = (test_x - mean_x) @ weights
    predicted = (predicted - predicted.mean(0)) / (predicted.std(0) + 1e-12)
    observed = (test_y - test_y.mean(0)) / (test_y.std(0) + 1e-12)
    return (predicted * observed).mean(0)


@pytest.mark.parametrize("modality", ["story", "movie"])
def test_planted_truth_recoverable_from_latents(default_dataset, modality):
    """Ridge from the true latent time courses separates responsive from class-0 voxels (AUC >= 0.95)."""
    with h5py.File(default_dataset.ground_truth, "r") as truth:
        voxel_class = truth["voxel_class"][()]
        if modality == "story":
            data = load_ds003020(default_dataset.stories_root, "UTS01", [TEST_STORY])
            latent = {n: np.column_stack([truth[f"stories/{n}/concepts"][()], truth[f"stories/{n}/word_rate"][()]]) for n in truth["stories"]}
            responsive = np.isin(voxel_class, (LANGUAGE_ONLY, MULTIMODAL))
        else:
            data = load_shortclips(default_dataset.movies_root, "UTS01")
            latent = {n: np.column_stack([truth[f"movies/{n}/concepts"][()], truth[f"movies/{n}/lowlevel"][()]]) for n in truth["movies"]}
            responsive = np.isin(voxel_class, (VISION_ONLY, MULTIMODAL))
    train_x = np.concatenate([latent[r.name] for r in data.train_runs])
    train_y = np.concatenate([r.read() for r in data.train_runs])
    test_x, test_y = latent[data.test_runs[0].name], data.test_runs[0].read()
    correlation = _ridge_test_correlation(train_x, train_y, test_x, test_y)
    considered = responsive | (voxel_class == NONE)
    auc = roc_auc_score(responsive[considered], correlation[considered])
    assert auc >= 0.95
    assert np.median(correlation[voxel_class == NONE]) == pytest.approx(0.0, abs=0.05)


def _real_looking_dataset(folder):
    """A folder that looks like downloaded ds003020 data."""
    (folder / "derivative" / "preprocessed_data" / "UTS01").mkdir(parents=True)
    (folder / "derivative" / "respdict.json").write_text('{"souls": 370}')
    (folder / "derivative" / "preprocessed_data" / "UTS01" / "souls.hf5").write_bytes(b"precious")
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _unchanged(folder, contents):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()} == contents


def test_simulate_never_replaces_a_folder_it_did_not_write(tmp_path):
    """A real-looking dataset inside simulate.root without the marker survives; one outside is refused up front."""
    from crossmodal.errors import InputError
    from crossmodal.simulate import MARKER, SyntheticPaths, check_synthetic_roots

    root = tmp_path / "synthetic"
    real = root / "ds003020"
    real.mkdir(parents=True)
    contents = _real_looking_dataset(real)
    paths = SyntheticPaths(real, root / "shortclips", root / "flickr30k", root / "ground_truth.h5")
    with pytest.raises(InputError, match=f"was not written by the simulator .no {MARKER} file"):
        simulate_dataset(SMALL_SETTINGS, paths)
    assert _unchanged(real, contents) and not list(root.glob(".simulate-*"))

    outside = tmp_path / "downloads" / "ds003020"
    outside.mkdir(parents=True)
    contents = _real_looking_dataset(outside)
    for stories in (outside, root):
        with pytest.raises(InputError, match="outside simulate.root"):
            simulate_dataset(SMALL_SETTINGS, SyntheticPaths(stories, root / "shortclips", root / "flickr30k", root / "ground_truth.h5"))
    assert _unchanged(outside, contents)
    with pytest.raises(InputError, match="config key 'data.pairs.root': is .* outside simulate.root"):
        check_synthetic_roots(root, {"data.stories.root": root / "a", "data.pairs.root": tmp_path / "elsewhere"})


def test_simulate_replaces_its_own_output_and_cleans_stale_staging(small_dataset, tmp_path):
    import shutil

    from crossmodal.simulate import MARKER

    fresh = tmp_path / "fresh"
    (fresh / "ds003020" / "derivative").mkdir(parents=True)  # empty folders, as Snakemake makes them for the outputs
    simulate_dataset(SMALL_SETTINGS, synthetic_paths(fresh))
    assert (fresh / "ds003020" / "derivative" / "respdict.json").is_file()

    root = tmp_path / "copy"
    shutil.copytree(small_dataset.root, root)
    stale = root / ".simulate-crashed"
    stale.mkdir()
    (stale / MARKER).write_text("left by a killed run")
    paths = synthetic_paths(root)
    assert (paths.stories_root / MARKER).is_file()
    simulate_dataset(SMALL_SETTINGS, paths)
    assert not stale.exists() and not list(root.glob(".simulate-*"))
    a = _all_arrays(small_dataset.ground_truth)
    b = _all_arrays(paths.ground_truth)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("shape", [(600, 64, 64, 3), (300, 17, 15, 3)], ids=["chunks", "odd-size"])
def test_lowlevel_frame_features_equal_numpy_means(shape):
    """Quadrant luminances and contrast, bit-identical to numpy's mean over the channels and std over the pixels
    (the planted low-level latent of the movies must not move with the chunked, faster computation)."""
    from crossmodal.simulate.stimuli import lowlevel_frame_features

    frames = np.random.default_rng(3).integers(0, 256, shape, dtype=np.uint8)
    luminance = frames.astype(np.float32).mean(axis=3) / 255.0
    h, w = shape[1] // 2, shape[2] // 2
    quadrants = [luminance[:, :h, :w], luminance[:, :h, w:], luminance[:, h:, :w], luminance[:, h:, w:]]
    expected = np.stack([q.mean(axis=(1, 2)) for q in quadrants] + [luminance.std(axis=(1, 2))], axis=1)
    got = lowlevel_frame_features(frames)
    assert got.dtype == np.float32 and got.shape == (shape[0], 5)
    np.testing.assert_array_equal(got, expected)
    # uniform pixels: luminance (the mean of 3 channels) has mean 1/2 and std sqrt((256**2 - 1) / 12) / 255 / sqrt(3) = 0.167
    assert 0.49 < got[:, :4].mean() < 0.51 and 0.16 < got[:, 4].mean() < 0.17
