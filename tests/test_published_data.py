"""Data as published: undownloaded datalad/git-annex files, subject pairing across datasets, the 3-D short-clips Y_test."""

import os
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

from crossmodal.config import validate_config, SCHEMA_PATH
from crossmodal.data import check_paired_voxels, dataset_subject, load_karpathy_pairs, load_modality, load_shortclips
from crossmodal.data.annex import annex_placeholder
from crossmodal.data.runs import listed_runs
from crossmodal.errors import InputError
from crossmodal.simulate import TEST_STORY

ANNEX_KEY = "SHA256E-s81126000--0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.hf5"


def _one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


def make_annex_symlink(path: Path) -> None:
    """Replace ``path`` by what ``datalad clone`` leaves before ``datalad get``: a link to an absent annex object."""
    path.unlink()
    depth = len(path.parent.parts) - len(Path("/").parts)
    os.symlink("../" * min(depth, 4) + f".git/annex/objects/Xk/3v/{ANNEX_KEY}/{ANNEX_KEY}", path)


def make_annex_pointer(path: Path) -> None:
    """Replace ``path`` by an unlocked / adjusted-branch git-annex pointer file."""
    path.unlink()
    path.write_text(f"/annex/objects/{ANNEX_KEY}\n")


def _story_section(root) -> dict:
    return {"layout": "ds003020", "root": str(root), "test_stories": [TEST_STORY], "train_stories": None}


def _movie_section(root, subjects=None) -> dict:
    return {"layout": "shortclips", "root": str(root), "tr": 2.0, "fps": 15, "subjects": subjects or {}}


@pytest.mark.parametrize("make", [make_annex_symlink, make_annex_pointer])
def test_undownloaded_story_response_is_one_line_with_datalad_get(stories_copy, make):
    path = stories_copy / "derivative" / "preprocessed_data" / "UTS01" / f"{TEST_STORY}.hf5"
    make(path)
    assert annex_placeholder(path)
    assert TEST_STORY in listed_runs(_story_section(stories_copy), "story", "UTS01")  # the DAG still sees the run
    with pytest.raises(InputError) as error:
        load_modality(_story_section(stories_copy), "story", "UTS01")
    message = _one_line(error)
    assert message.startswith(f"{path}: is not downloaded yet")
    assert message.endswith(f"Fetch it with: datalad get {path}.")


def test_undownloaded_textgrid_and_respdict(stories_copy):
    textgrid = next((stories_copy / "derivative" / "TextGrids").glob("*.TextGrid"))
    make_annex_pointer(textgrid)
    with pytest.raises(InputError) as error:
        load_modality(_story_section(stories_copy), "story", "UTS01")
    assert f"datalad get {textgrid}" in _one_line(error)
    respdict = stories_copy / "derivative" / "respdict.json"
    make_annex_symlink(respdict)
    with pytest.raises(InputError) as error:
        load_modality(_story_section(stories_copy), "story", "UTS01")
    assert f"datalad get {respdict}" in _one_line(error)


def test_undownloaded_movie_files(movies_copy):
    responses = movies_copy / "responses" / "UTS01_responses.hdf"
    make_annex_symlink(responses)  # what `datalad install` leaves when responses/ was not fetched
    with pytest.raises(InputError) as error:
        load_shortclips(movies_copy, "UTS01")
    assert _one_line(error).startswith(f"{responses}: is not downloaded yet") and f"datalad get {responses}" in str(error.value)
    stimulus = movies_copy / "stimuli" / "train_01.hdf"
    make_annex_symlink(stimulus)
    with pytest.raises(InputError) as error:
        load_shortclips(movies_copy, "UTS01")
    assert f"datalad get {stimulus}" in _one_line(error)


def test_undownloaded_pair_image(small_dataset, tmp_path):
    root = Path(shutil.copytree(small_dataset.pairs_root, tmp_path / "flickr30k"))
    image = sorted((root / "flickr30k-images").iterdir())[3]
    make_annex_symlink(image)
    with pytest.raises(InputError) as error:
        load_karpathy_pairs(root)
    assert f"datalad get {image}" in _one_line(error)


def test_real_files_and_ordinary_broken_links_are_not_placeholders(tmp_path):
    small = tmp_path / "small.json"
    small.write_text('{"a": 1}')
    assert not annex_placeholder(small)
    dangling = tmp_path / "dangling.hf5"
    os.symlink(tmp_path / "nowhere.hf5", dangling)
    assert not annex_placeholder(dangling)  # a broken link that is not annex: "file not found" as before
    assert not annex_placeholder(tmp_path / "absent.hf5")


# ---- subject pairing ---------------------------------------------------------------------


def _published_names(movies_root: Path, pairing: dict[str, str]) -> None:
    """Rename the responses files to the short-clips subject names."""
    for ours, theirs in pairing.items():
        (movies_root / "responses" / f"{ours}_responses.hdf").rename(movies_root / "responses" / f"{theirs}_responses.hdf")


def test_subject_mapping_pairs_story_and_movie_subjects(stories_copy, movies_copy):
    _published_names(movies_copy, {"UTS01": "S01"})
    with pytest.raises(InputError) as error:
        load_modality(_movie_section(movies_copy), "movie", "UTS01")
    message = _one_line(error)
    assert "subject not found (subjects here: S01)" in message and "data.movies.subjects" in message
    section = _movie_section(movies_copy, {"UTS01": "S01"})
    assert dataset_subject(section, "UTS01") == "S01" and dataset_subject(section, "UTS02") == "UTS02"
    movie = load_modality(section, "movie", "UTS01")
    assert movie.subject == "UTS01" and movie.dataset_subject == "S01"
    assert movie.test_runs[0].source.name == "S01_responses.hdf"
    check_paired_voxels(load_modality(_story_section(stories_copy), "story", "UTS01"), movie)


def test_paired_subjects_with_different_voxel_counts_is_one_error(stories_copy, movies_copy):
    path = movies_copy / "responses" / "UTS01_responses.hdf"
    with h5py.File(path, "a") as handle:
        for name in ("Y_train", "Y_test"):
            data = handle[name][()]
            del handle[name]
            handle.create_dataset(name, data=data[..., :-5])
    _published_names(movies_copy, {"UTS01": "S02"})
    story = load_modality(_story_section(stories_copy), "story", "UTS01")
    movie = load_modality(_movie_section(movies_copy, {"UTS01": "S02"}), "movie", "UTS01")
    with pytest.raises(InputError) as error:
        check_paired_voxels(story, movie)
    message = _one_line(error)
    assert message.startswith("subject UTS01: has different voxel counts")
    assert f"story data: {story.n_voxels} voxels; movie data (as S02): {story.n_voxels - 5} voxels" in message
    assert "data.movies.subjects" in message


@pytest.mark.parametrize("pairing, problem", [
    ({"UTS09": "S01"}, "pairs 'UTS09', which is not in subjects"),
    ({"UTS01": "S01", "UTS02": "S01"}, "gives movie subject 'S01' to more than one subject"),
    ({"UTS01": "UTS02"}, "gives movie subject 'UTS02' to more than one subject"),
    ({"UTS01": 3}, "data.movies.subjects.UTS01"),
])
def test_bad_subject_pairing_is_a_config_error(pairing, problem):
    config = {"subjects": ["UTS01", "UTS02"], "simulate": {"enabled": False}, "data": {"movies": {"subjects": pairing}}}
    with pytest.raises(InputError) as error:
        validate_config(config, SCHEMA_PATH, "my.yaml")
    assert problem in _one_line(error)


def test_subject_pairing_with_synthetic_data_is_a_config_error():
    """The simulator names its movie subjects like `subjects`: a pairing would look for files it never writes."""
    config = {"subjects": ["UTS01"], "data": {"movies": {"subjects": {"UTS01": "S01"}}}}
    with pytest.raises(InputError) as error:
        validate_config(config, SCHEMA_PATH, "my.yaml")
    assert "simulate.enabled is true" in _one_line(error)


# ---- the published short-clips Y_test ------------------------------------------------------


def test_three_d_y_test_is_averaged_and_other_shapes_are_one_error(movies_copy):
    path = movies_copy / "responses" / "UTS01_responses.hdf"
    data = load_shortclips(movies_copy, "UTS01")
    test = data.test_runs[0]
    with h5py.File(path, "r") as handle:
        repeats = handle["Y_test"][()]
    assert repeats.ndim == 3 and test.n_repeats == repeats.shape[0] and test.n_trs == repeats.shape[1]
    np.testing.assert_allclose(test.read(), repeats.mean(axis=0), rtol=1e-6)
    with h5py.File(path, "a") as handle:
        del handle["Y_test"]
        handle.create_dataset("Y_test", data=repeats[None])
    with pytest.raises(InputError) as error:
        load_shortclips(movies_copy, "UTS01")
    assert "Y_test has shape (1, " in _one_line(error)
