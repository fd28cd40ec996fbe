"""Runs are matched by name end to end: fingerprints, feature files keyed by the run they hold, one run-list rule."""

import shutil
from dataclasses import replace

import numpy as np
import pytest

from crossmodal.data import load_ds003020, load_modality, load_shortclips
from crossmodal.data.fingerprint import stimulus_fingerprint, words_fingerprint
from crossmodal.data.runs import listed_runs, split_runs, subject_run_names
from crossmodal.errors import InputError
from crossmodal.features.grid import build_design_matrices, check_design_runs, stream_layer
from crossmodal.features.storage import feature_files_for_runs, read_identity, stimulus_identity, write_feature_file
from crossmodal.simulate import TEST_STORY, SimulationSettings, movie_run_names, story_names

from conftest import SMALL_SETTINGS


def stories_section(root):
    return {"layout": "ds003020", "root": str(root), "test_stories": [TEST_STORY], "train_stories": None}


def fake_story_features(folder, data, seed=0, holder=None):
    """One feature file per story (2 layers of 3 dims per word); ``holder`` maps a file name to the story it holds."""
    rng = np.random.default_rng(seed)
    paths = []
    for name in [r.name for r in data.runs]:
        held = (holder or {}).get(name, name)
        words = data.stimuli[held]
        path = write_feature_file(folder / f"{name}.h5", rng.standard_normal((2, len(words), 3)), words.times, ["text.0", "cross_text.0"],
                                  "fake", None, words=list(words.words), attrs=stimulus_identity(held, "story", words))
        paths.append(path)
    return paths


def test_fingerprints_change_with_the_stimulus(small_dataset):
    stories = load_ds003020(small_dataset.stories_root, "UTS01", [TEST_STORY])
    words = stories.stimuli["souls"]
    assert stimulus_fingerprint(words) == words_fingerprint(list(words.words), words.onsets, words.offsets)
    shifted = replace(words, onsets=words.onsets + 0.01)
    renamed = replace(words, words=np.array(["other"] + list(words.words[1:])))
    assert len({stimulus_fingerprint(words), stimulus_fingerprint(shifted), stimulus_fingerprint(renamed)}) == 3
    movies = load_shortclips(small_dataset.movies_root, "UTS01")
    fingerprints = {name: stimulus_fingerprint(frames) for name, frames in movies.stimuli.items()}
    assert len(set(fingerprints.values())) == len(fingerprints)
    assert stimulus_fingerprint(movies.stimuli["test"]) == fingerprints["test"]  # deterministic


def test_shuffled_feature_inputs_give_identical_designs(small_dataset, tmp_path):
    data = load_ds003020(small_dataset.stories_root, "UTS01", [TEST_STORY])
    paths = fake_story_features(tmp_path, data)
    designs = []
    for order in (paths, paths[::-1], [paths[i] for i in np.random.default_rng(3).permutation(len(paths))]):
        keyed = feature_files_for_runs(order, data.stimuli, "story", "UTS01")
        designs.append(build_design_matrices(keyed, data.train_runs, data.test_runs, "cross_text.0", (1, 2)))
    for design in designs[1:]:
        np.testing.assert_array_equal(design.train_design, designs[0].train_design)
        np.testing.assert_array_equal(design.test_design, designs[0].test_design)
        assert design.fingerprints == designs[0].fingerprints
    check_design_runs(designs[0], data)


def test_feature_file_of_another_story_is_one_line_error(small_dataset, tmp_path):
    data = load_ds003020(small_dataset.stories_root, "UTS01", [TEST_STORY])
    train = [r.name for r in data.train_runs]
    paths = fake_story_features(tmp_path, data, holder={train[0]: train[1]})
    with pytest.raises(InputError) as error:
        feature_files_for_runs(paths, data.stimuli, "story", "UTS01")
    message = str(error.value)
    assert "\n" not in message and f"{train[0]}.h5" in message
    assert f"holds the features of story '{train[1]}', but is used as the features of story '{train[0]}' of UTS01" in message


def test_copied_feature_file_fails_on_name_and_changed_stimulus_on_fingerprint(small_dataset, tmp_path):
    data = load_ds003020(small_dataset.stories_root, "UTS01", [TEST_STORY])
    paths = fake_story_features(tmp_path / "features", data)
    train = [r.name for r in data.train_runs]
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in paths:
        shutil.copy(path, copy / path.name)
    shutil.copy(copy / f"{train[1]}.h5", copy / f"{train[0]}.h5")  # the file of one story copied over another's
    with pytest.raises(InputError, match=f"holds the features of story '{train[1]}'"):
        feature_files_for_runs(sorted(copy.glob("*.h5")), data.stimuli, "story")
    changed = dict(data.stimuli)
    changed[train[0]] = replace(changed[train[0]], offsets=changed[train[0]].offsets + 0.5)
    with pytest.raises(InputError, match=f"was computed from a stimulus of '{train[0]}' with fingerprint"):
        feature_files_for_runs(paths, changed, "story")
    with pytest.raises(InputError, match=f"story run '{train[0]}' of UTS01: has no feature file"):
        feature_files_for_runs([p for p in paths if p.stem != train[0]], data.stimuli, "story", "UTS01")


def test_file_without_identity_asks_for_a_rerun(tmp_path):
    path = write_feature_file(tmp_path / "old.h5", np.zeros((1, 2, 3)), np.zeros(2), ["text.0"], "m", None)
    with pytest.raises(InputError, match="records no stimulus .written by an older version.. Delete it and rerun"):
        read_identity(path)


def test_design_of_other_runs_is_rejected(small_dataset, tmp_path):
    data = load_ds003020(small_dataset.stories_root, "UTS01", [TEST_STORY])
    keyed = feature_files_for_runs(fake_story_features(tmp_path, data), data.stimuli, "story")
    design = build_design_matrices(keyed, data.train_runs, data.test_runs, "cross_text.0", (1,))
    with pytest.raises(InputError, match="was built for runs"):
        check_design_runs(replace(design, train_runs=design.train_runs[::-1]), data)
    with pytest.raises(InputError, match="was built from a stimulus of"):
        check_design_runs(replace(design, fingerprints=("0" * 16,) + design.fingerprints[1:]), data)


def test_one_run_list_rule_for_planned_and_loaded_runs(small_dataset):
    """The synthetic runs the workflow plans (simulator names) and the runs the loaders find are the same lists."""
    settings = SMALL_SETTINGS.resolved()
    stories = stories_section(small_dataset.stories_root)
    movies = {"layout": "shortclips", "root": str(small_dataset.movies_root), "tr": 2.0, "fps": settings.movie_fps}
    planned_story = split_runs(stories, "story", story_names(settings.n_train_stories))
    planned_movie = split_runs(movies, "movie", movie_run_names(settings.n_train_movie_runs))
    for section, modality, planned in ((stories, "story", planned_story), (movies, "movie", planned_movie)):
        data = load_modality(section, modality, "UTS01")
        assert ([r.name for r in data.train_runs], [r.name for r in data.test_runs]) == planned
        assert subject_run_names(section, modality, "UTS01") == planned
    assert planned_story[0] == sorted(planned_story[0]) and planned_story[1] == [TEST_STORY]
    default_planned = split_runs(stories, "story", story_names(8))[0]
    assert story_names(8)[:-1] != default_planned  # the simulator's order differs from the loaders' (the bug this rule removed)
    assert listed_runs(stories, "story", "UTS01") == sorted(planned_story[0] + planned_story[1])


def test_listing_opens_no_data_file(small_dataset, tmp_path):
    """Run names come from directory listings: unreadable data files do not matter."""
    root = tmp_path / "ds003020"
    shutil.copytree(small_dataset.stories_root, root)
    for path in (root / "derivative/preprocessed_data/UTS01").glob("*.hf5"):
        path.write_bytes(b"not hdf5")
    train, test = subject_run_names(stories_section(root), "story", "UTS01")
    assert test == [TEST_STORY] and len(train) == SMALL_SETTINGS.n_train_stories


def test_stream_layer_names():
    assert stream_layer("cross.1", "story") == "cross_text.1" and stream_layer("tower.2", "movie") == "vision.2"
    assert SimulationSettings.from_config().resolved().n_train_stories == 8
