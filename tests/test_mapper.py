"""Flatmaps from the short-clips mappers: reading the published layout, projecting voxels to pixels, the figure, and which subjects get them."""

from __future__ import annotations

import os

import h5py
import numpy as np
import pytest
from PIL import Image
from shortclips_utils import write_shortclips_mapper

from crossmodal.errors import InputError
from crossmodal.mappers import REQUIRED_KEYS, load_mapper, mapper_files, mapper_path
from crossmodal.plots import save_figure
from crossmodal.plots.gather import performance_maps, ratio_maps
from crossmodal.plots.mapper import flatmap_grid

N_VOXELS = 50


@pytest.fixture
def written(tmp_path):
    return write_shortclips_mapper(tmp_path / "mappers" / "S01_mappers.hdf", N_VOXELS, seed=3, size=(30, 20), rois=True)


def reference_image(path, values):
    """Slow reference: read the raw datasets, expand the CSR parts by hand, and walk the image pixel by pixel.

    The stored mask is (width, height) with y up; the drawn image is (height, width) with row 0 at the top.
    """
    with h5py.File(path, "r") as handle:
        data, indices, indptr = (handle[f"voxel_to_flatmap_{part}"][()] for part in ("data", "indices", "indptr"))
        n_pixels, n_voxels = (int(n) for n in handle["voxel_to_flatmap_shape"][()])
        mask = handle["flatmap_mask"][()]
    weights = [[0.0] * n_voxels for _ in range(n_pixels)]
    for row in range(n_pixels):
        for entry in range(indptr[row], indptr[row + 1]):
            weights[row][indices[entry]] += data[entry]
    width, height = mask.shape
    image = np.full((height, width), np.nan)
    pixel = 0
    for x in range(width):
        for y in range(height):
            if not mask[x, y]:
                continue
            if any(w != 0 for w in weights[pixel]):
                image[height - 1 - y, x] = sum(w * v for w, v in zip(weights[pixel], values) if w != 0)
            pixel += 1
    assert pixel == n_pixels
    return image


def test_projection_matches_a_direct_computation(written):
    values = np.random.default_rng(0).normal(size=N_VOXELS)
    mapper = load_mapper(written.path)
    assert (mapper.n_pixels, mapper.n_voxels) == (int(written.mask.sum()), N_VOXELS)
    assert mapper.image_shape == (20, 30)
    image = mapper.project(values)
    expected = reference_image(written.path, values)
    assert image.shape == (20, 30)
    np.testing.assert_array_equal(np.isnan(image), np.isnan(expected))
    np.testing.assert_allclose(image[np.isfinite(image)], expected[np.isfinite(expected)], rtol=1e-12)
    # pixels averaged from two voxels hold the mean of the two
    assert len(written.shared_pixels) > 5
    dense = written.matrix.toarray()
    dense_pixels = dense @ values
    for pixel in written.shared_pixels[:5]:
        first, second = np.flatnonzero(dense[pixel])
        assert dense_pixels[pixel] == pytest.approx((values[first] + values[second]) / 2)
    assert np.sort(image[np.isfinite(image)]).tolist() == pytest.approx(np.sort(np.delete(dense_pixels, written.uncovered_pixels)).tolist())


def test_orientation_of_the_stored_image(tmp_path):
    """A voxel covering only the stored pixel (x, y) lands at row height-1-y, column x."""
    import scipy.sparse

    mask = np.zeros((4, 3), bool)
    mask[0, 0] = mask[3, 2] = mask[1, 2] = True  # C order: (0,0), (1,2), (3,2)
    matrix = scipy.sparse.csr_matrix(np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]))
    path = tmp_path / "S09_mappers.hdf"
    with h5py.File(path, "w") as handle:
        for part in ("data", "indices", "indptr"):
            handle[f"voxel_to_flatmap_{part}"] = getattr(matrix, part)
        handle["voxel_to_flatmap_shape"] = matrix.shape
        handle["flatmap_mask"] = mask
    image = load_mapper(path).project(np.array([5.0, 7.0]))
    assert image.shape == (3, 4)
    assert image[2, 0] == 5.0 and image[0, 3] == 7.0
    assert np.isnan(image[0, 1])  # in the mask, covered by no voxel
    assert np.isfinite(image).sum() == 2


def test_mask_and_nan_handling(written):
    mapper = load_mapper(written.path)
    image = mapper.project(np.ones(N_VOXELS))
    drawn = mapper.cortex()
    outside = ~written.mask.T[::-1]
    assert np.isnan(image[outside]).all()  # outside flatmap_mask: blank
    assert np.isnan(image[~drawn]).all() and np.isfinite(image[drawn]).all()
    assert drawn.sum() == written.mask.sum() - len(written.uncovered_pixels)
    np.testing.assert_allclose(image[drawn], 1.0)  # rows are averages: a constant stays constant
    # a NaN voxel blanks exactly the pixels it contributes to
    values = np.ones(N_VOXELS)
    values[7] = np.nan
    blank = np.isnan(mapper.project(values)) & drawn
    assert blank.sum() == np.count_nonzero(written.matrix.toarray()[:, 7])


@pytest.mark.parametrize("key", REQUIRED_KEYS)
def test_missing_key_is_one_line_naming_file_and_key(tmp_path, key):
    path = write_shortclips_mapper(tmp_path / "S01_mappers.hdf", 20, seed=1, omit=(key,)).path
    with pytest.raises(InputError) as error:
        load_mapper(path)
    message = str(error.value)
    assert "\n" not in message and str(path) in message and repr(key) in message


def test_malformed_and_wrong_voxel_count(tmp_path, written):
    with pytest.raises(InputError, match="does not exist"):
        load_mapper(tmp_path / "S02_mappers.hdf")
    (tmp_path / "text.hdf").write_text("not hdf5 but long enough to be no annex pointer\n" * 40)
    with pytest.raises(InputError, match="not an HDF5 file"):
        load_mapper(tmp_path / "text.hdf")
    with h5py.File(written.path, "a") as handle:
        mask = handle["flatmap_mask"][()]
        mask[0, 0] = not mask[0, 0]
        del handle["flatmap_mask"]
        handle["flatmap_mask"] = mask
    with pytest.raises(InputError, match="cortex pixels"):
        load_mapper(written.path)
    good = write_shortclips_mapper(tmp_path / "S03_mappers.hdf", 30, seed=2).path
    with pytest.raises(InputError, match="maps 30 voxels but the values have shape") as error:
        load_mapper(good).project(np.zeros(31))
    assert str(good) in str(error.value)


def test_undownloaded_placeholder_says_datalad_get(tmp_path):
    link = tmp_path / "mappers" / "S01_mappers.hdf"
    link.parent.mkdir()
    os.symlink("../.git/annex/objects/Xx/Yy/SHA256E-s10--abc.hdf/SHA256E-s10--abc.hdf", link)
    with pytest.raises(InputError, match="datalad get"):
        load_mapper(link)


def small_scores(n_voxels, seed=0):
    rng = np.random.default_rng(seed)
    results = {}
    for direction in ("story_to_movie", "movie_to_story"):
        arrays = {}
        for score in ("raw", "corrected", "within"):
            r = rng.normal(0.1, 0.2, n_voxels)
            arrays[f"{score}_r"], arrays[f"{score}_significant"] = r, r > 0.1
            arrays[f"{score}_ratio"] = np.where(r > 0.1, rng.uniform(-1, 1, n_voxels), np.nan)
        results[direction, "linear"] = arrays
    return results


def test_flatmap_grid_writes_png_and_pdf(tmp_path):
    written = write_shortclips_mapper(tmp_path / "S01_mappers.hdf", 200, seed=4, rois=True)
    results = small_scores(200)
    mapper = load_mapper(written.path)
    figure = flatmap_grid(performance_maps(results, "linear"), title="test", mapper=mapper)
    assert len(figure.axes) == 12
    save_figure(figure, [tmp_path / "flat.png", tmp_path / "flat.pdf"])
    image = np.asarray(Image.open(tmp_path / "flat.png").convert("L"), dtype=float)
    assert image.shape[0] > 200 and image.shape[1] > 200 and image.std() > 1.0
    assert (tmp_path / "flat.pdf").read_bytes().startswith(b"%PDF")
    # the same call shape as the fsaverage5 grid, with fixed limits and an empty row
    maps = ratio_maps(results, "linear")
    maps["nothing significant"] = (np.zeros(200), np.zeros(200, bool))
    save_figure(flatmap_grid(maps, cmap="PuOr_r", vmin=-1, vmax=1, colorbar_label="ratio", mapper=mapper),
                tmp_path / "ratio.png")
    assert (tmp_path / "ratio.png").stat().st_size > 1000
    with pytest.raises(InputError, match="maps 200 voxels"):
        flatmap_grid(performance_maps(small_scores(201), "linear"), mapper=mapper)


def test_which_subjects_get_mapper_flatmaps(tmp_path):
    root = tmp_path / "shortclips"
    write_shortclips_mapper(mapper_path(root, "S01"), 10, seed=0)
    os.makedirs(root / "mappers", exist_ok=True)
    os.symlink("../.git/annex/objects/x/y", root / "mappers" / "S03_mappers.hdf")  # not downloaded: still chosen, its job says so
    subjects = ["UTS01", "UTS02", "UTS03"]
    pairing = {"UTS01": "S01", "UTS02": "S02", "UTS03": "S03"}
    assert mapper_files(subjects, root, pairing) == {"UTS01": str(root / "mappers/S01_mappers.hdf"), "UTS03": str(root / "mappers/S03_mappers.hdf")}
    assert mapper_files(subjects, root, pairing, wanted=False) == {}
    assert mapper_files(["S01", "S02"], root) == {"S01": str(root / "mappers/S01_mappers.hdf")}  # no mapping: same names
    assert mapper_files(subjects, root, {}) == {}
    with pytest.raises(InputError, match="S02_mappers.hdf: does not exist, and figures.mappers is true"):
        mapper_files(subjects, root, pairing, wanted=True)
    assert set(mapper_files(["UTS01"], root, pairing, wanted=True)) == {"UTS01"}


def test_workflow_draws_mapper_flatmaps_for_subjects_with_a_mapper(tmp_path):
    """Dry runs only: a mapper for UTS01 alone gives UTS01 the mapper rules and UTS02 the fsaverage5 ones;
    figures.mappers: true without UTS02's mapper is one config error."""
    from workflow_utils import copy_workflow, snakemake

    workdir = copy_workflow(tmp_path / "repo")
    mapper = workdir / "results" / "synthetic" / "shortclips" / "mappers" / "UTS01_mappers.hdf"
    write_shortclips_mapper(mapper, 20, seed=0)
    figure = "results/figures/{}_bridgetower_cross.1_{}.png"
    targets = [figure.format(kind, subject) for kind in ("performance_flatmaps", "transfer_ratio_flatmap") for subject in ("UTS01", "UTS02")]
    result = snakemake(workdir, "--cores", "1", "--dry-run", *targets)
    assert result.returncode == 0, result.stderr[-3000:]
    counts = dict(line.split() for line in result.stdout.split("Job stats:")[1].split("total")[0].splitlines()[3:] if line.strip())
    assert {rule: counts.get(rule) for rule in ("plot_mapper_flatmaps", "plot_mapper_ratio", "plot_performance_flatmaps", "plot_transfer_ratio")} == {
        "plot_mapper_flatmaps": "1", "plot_mapper_ratio": "1", "plot_performance_flatmaps": "1", "plot_transfer_ratio": "1"}
    assert "results/synthetic/shortclips/mappers/UTS01_mappers.hdf" in result.stdout

    (workdir / "strict.yaml").write_text("figures:\n  mappers: true\n")
    result = snakemake(workdir, "--cores", "1", "--dry-run", "--configfile", "strict.yaml")
    lines = [line for line in result.stderr.splitlines() if line.startswith("Config error:")]
    assert result.returncode != 0 and len(lines) == 1, result.stderr[-3000:]
    assert "mappers/UTS02_mappers.hdf: does not exist, and figures.mappers is true" in lines[0]
