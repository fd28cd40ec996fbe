"""Loaders on files of each layout, their quirks, and one clear line for each bad input."""

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from crossmodal.data import (
    FrameRun, WordEvents, load_ds003020, load_generic, load_karpathy_pairs, load_modality, load_shortclips, story_tr_times,
)
from crossmodal.errors import InputError
from crossmodal.simulate import TEST_STORY


def test_story_tr_times_row_arithmetic():
    """respdict 261 -> 241 rows; the first kept row is TR 10 of the grid (mid-time 11 s after sound onset)."""
    times = story_tr_times(261)
    assert len(times) == 241
    assert times[0] == pytest.approx(11.0)
    np.testing.assert_allclose(np.diff(times), 2.0)


def test_ds003020(small_dataset):
    data = load_ds003020(small_dataset.stories_root, "UTS01", [TEST_STORY])
    respdict = json.loads((small_dataset.stories_root / "derivative" / "respdict.json").read_text())
    assert [r.name for r in data.test_runs] == [TEST_STORY]
    assert len(data.train_runs) == 2 and TEST_STORY not in [r.name for r in data.train_runs]
    for run in data.runs:
        assert run.n_trs == respdict[run.name] - 20 == len(run.tr_times)
        assert isinstance(data.stimuli[run.name], WordEvents)
        responses = run.read()
        assert responses.dtype == np.float32 and responses.shape == (run.n_trs, 20484)
        assert not np.isnan(responses).any()
    assert data.train_runs[0].count_nans() == 2 * data.train_runs[0].n_trs
    partial = data.train_runs[0].read(slice(100, 110))
    np.testing.assert_array_equal(partial, data.train_runs[0].read()[:, 100:110])


def test_ds003020_accepts_derivatives_folder(stories_copy):
    (stories_copy / "derivative").rename(stories_copy / "derivatives")
    assert len(load_ds003020(stories_copy, "UTS01", [TEST_STORY]).runs) == 3


def test_ds003020_explicit_train_stories(small_dataset):
    data = load_ds003020(small_dataset.stories_root, "UTS01", [TEST_STORY], train_stories=["souls"])
    assert [r.name for r in data.train_runs] == ["souls"]


def test_shortclips_runs_split_by_onsets(small_dataset):
    data = load_shortclips(small_dataset.movies_root, "UTS01", tr=2.0, fps=15)
    with h5py.File(small_dataset.movies_root / "responses" / "UTS01_responses.hdf", "r") as handle:
        y_train, onsets = handle["Y_train"][()], handle["run_onsets"][()]
    assert [r.name for r in data.train_runs] == ["train_00", "train_01"]
    assert [r.first_row for r in data.train_runs] == onsets.tolist()
    np.testing.assert_array_equal(np.concatenate([r.read() for r in data.train_runs]), y_train)
    frames = data.stimuli["test"]
    assert isinstance(frames, FrameRun) and frames.n_frames == 40 * 2 * 15 and frames.frame_shape == (16, 16, 3)
    np.testing.assert_allclose(frames.times[:3], [0, 1 / 15, 2 / 15])
    np.testing.assert_allclose(data.test_runs[0].tr_times[:2], [1.0, 3.0])


def _write_generic(root: Path, modality: str, stimulus_kind: str) -> None:
    folder = root / modality
    (folder / "S1").mkdir(parents=True)
    (folder / "stimuli").mkdir()
    (folder / "runs.json").write_text(json.dumps({"train": ["a", "b"], "test": ["c"]}))
    rng = np.random.default_rng(0)
    for name in "abc":
        with h5py.File(folder / "S1" / f"{name}.h5", "w") as handle:
            handle.create_dataset("data", data=rng.normal(size=(20, 7)).astype(np.float32)).attrs["tr"] = 1.5
        with h5py.File(folder / "stimuli" / f"{name}.h5", "w") as handle:
            if stimulus_kind == "frames":
                handle.create_dataset("frames", data=np.zeros((30, 8, 8, 3), np.uint8)).attrs["fps"] = 10
            else:
                handle.create_dataset("words", data=np.array([b"hello", b"sp", b"world"]))
                handle.create_dataset("onsets", data=[0.0, 1.0, 2.0])
                handle.create_dataset("offsets", data=[0.5, 1.5, 2.5])


def test_generic_layout_words_and_frames(tmp_path):
    _write_generic(tmp_path, "story", "words")
    _write_generic(tmp_path, "movie", "frames")
    story = load_generic(tmp_path, "story", "S1")
    assert [r.name for r in story.train_runs] == ["a", "b"] and story.test_runs[0].tr == 1.5
    assert story.stimuli["a"].words.tolist() == ["hello", "world"]
    movie = load_modality({"layout": "generic", "root": str(tmp_path)}, "movie", "S1")
    assert movie.stimuli["c"].fps == 10 and movie.n_voxels == 7
    np.testing.assert_allclose(movie.train_runs[0].tr_times[:2], [0.75, 2.25])


def test_karpathy_pairs(small_dataset):
    pairs = load_karpathy_pairs(small_dataset.pairs_root)
    assert len(pairs.image_paths) == 60 and len(pairs.captions) == 300
    test = pairs.split("test")
    assert len(test.image_paths) == 10 and len(test.captions) == 50
    assert test.caption_image.max() == 9 and np.all(np.bincount(test.caption_image) == 5)
    content = json.loads((small_dataset.pairs_root / "dataset_flickr30k.json").read_text())
    first_test = next(e for e in content["images"] if e["split"] == "test")
    assert test.captions[0] == first_test["sentences"][0]["raw"]


# ---- bad inputs: one line naming the file, the problem and the fix -------------------------


def _one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert "\n" not in message
    return message


def test_missing_subject(small_dataset):
    with pytest.raises(InputError) as error:
        load_ds003020(small_dataset.stories_root, "UTS09", [TEST_STORY])
    assert "preprocessed_data/UTS09: subject not found (subjects here: UTS01). Fix the subjects list" in _one_line(error)


def test_missing_response_file(stories_copy):
    (stories_copy / "derivative" / "preprocessed_data" / "UTS01" / f"{TEST_STORY}.hf5").unlink()
    with pytest.raises(InputError) as error:
        load_ds003020(stories_copy, "UTS01", [TEST_STORY])
    assert f"UTS01/{TEST_STORY}.hf5: file not found." in _one_line(error)


def test_missing_root(tmp_path):
    with pytest.raises(InputError, match=r"has no derivative/ or derivatives/ folder\. Point data.stories.root"):
        load_ds003020(tmp_path, "UTS01", [TEST_STORY])


def test_hf5_without_data(stories_copy):
    path = stories_copy / "derivative" / "preprocessed_data" / "UTS01" / "souls.hf5"
    with h5py.File(path, "r+") as handle:
        handle.move("data", "responses")
    with pytest.raises(InputError) as error:
        load_ds003020(stories_copy, "UTS01", [TEST_STORY])
    assert 'souls.hf5: has no dataset "data" (found: responses). Use the preprocessed_data .hf5 files' in _one_line(error)


def test_row_count_differs_from_respdict(stories_copy):
    respdict_path = stories_copy / "derivative" / "respdict.json"
    respdict = json.loads(respdict_path.read_text())
    respdict["souls"] += 3
    respdict_path.write_text(json.dumps(respdict))
    with pytest.raises(InputError) as error:
        load_ds003020(stories_copy, "UTS01", [TEST_STORY])
    expected = f"souls.hf5: has {respdict['souls'] - 23} rows but respdict.json gives {respdict['souls']} TRs, so {respdict['souls'] - 20} rows (respdict - 20) are expected"
    assert expected in _one_line(error)


def test_voxel_count_differs_across_runs(stories_copy):
    path = stories_copy / "derivative" / "preprocessed_data" / "UTS01" / f"{TEST_STORY}.hf5"
    with h5py.File(path, "r+") as handle:
        data = handle["data"][:, :100]
        del handle["data"]
        handle["data"] = data
    with pytest.raises(InputError) as error:
        load_ds003020(stories_copy, "UTS01", [TEST_STORY])
    assert f"{TEST_STORY}.hf5: has 100 voxels but" in _one_line(error) and "has 20484. All runs of a subject must use the same voxel mask." in str(error.value)


def test_textgrid_without_word_tier(stories_copy):
    path = stories_copy / "derivative" / "TextGrids" / "souls.TextGrid"
    from praatio.utilities.textgrid_io import parseTextgridStr  # noqa: F401  (the parser the loader uses)

    text = path.read_text()
    if text.splitlines()[3].startswith("xmin"):
        head, _ = text.split("    item [2]:")
        path.write_text(head.replace("size = 2", "size = 1"))
    else:
        lines = text.splitlines()
        lines[6] = "1"
        cut = next(i for i, line in enumerate(lines) if line == '"word"') - 1
        path.write_text("\n".join(lines[:cut]) + "\n")
    with pytest.raises(InputError) as error:
        load_ds003020(stories_copy, "UTS01", [TEST_STORY])
    assert "souls.TextGrid: has no word tier at position 2" in _one_line(error)


def test_malformed_respdict(stories_copy):
    (stories_copy / "derivative" / "respdict.json").write_text('{"souls": 80,')
    with pytest.raises(InputError) as error:
        load_ds003020(stories_copy, "UTS01", [TEST_STORY])
    assert "respdict.json: malformed JSON (line 1, column 14" in _one_line(error)


def test_malformed_karpathy_json(small_dataset, tmp_path):
    (tmp_path / "dataset_flickr30k.json").write_text("{not json")
    with pytest.raises(InputError) as error:
        load_karpathy_pairs(tmp_path)
    assert "dataset_flickr30k.json: malformed JSON" in _one_line(error)


def test_frames_not_uint8(movies_copy):
    path = movies_copy / "stimuli" / "train_01.hdf"
    with h5py.File(path, "r+") as handle:
        frames = handle["stimuli"][()].astype(np.float32)
        del handle["stimuli"]
        handle["stimuli"] = frames
    with pytest.raises(InputError) as error:
        load_shortclips(movies_copy, "UTS01")
    assert "train_01.hdf: frames are float32 of shape (1200, 16, 16, 3), expected uint8 of shape (n_frames, height, width, 3)" in _one_line(error)


def test_frames_without_colour_axis(movies_copy):
    path = movies_copy / "stimuli" / "test.hdf"
    with h5py.File(path, "r+") as handle:
        gray = handle["stimuli"][..., 0]
        del handle["stimuli"]
        handle["stimuli"] = gray
    with pytest.raises(InputError, match=r"test.hdf: frames are uint8 of shape \(1200, 16, 16\), expected uint8"):
        load_shortclips(movies_copy, "UTS01")


def test_bad_run_onsets(movies_copy):
    path = movies_copy / "responses" / "UTS01_responses.hdf"
    with h5py.File(path, "r+") as handle:
        handle["run_onsets"][...] = [0, 0]
    with pytest.raises(InputError, match=r"run_onsets \[0, 0\] do not split Y_train \(80 TRs\) into the 2 training runs"):
        load_shortclips(movies_copy, "UTS01")
