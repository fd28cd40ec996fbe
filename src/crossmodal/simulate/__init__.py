"""The embedded synthetic dataset, written in the real on-disk layouts.

:func:`simulate_dataset` writes stories in the ds003020 layout, movies in the
short-clips layout and image-caption pairs in the Flickr30K Karpathy layout,
with voxels on the 20,484 fsaverage5 vertices and the planted ground truth in
``ground_truth.h5`` beside them (see ``formats.md``). Everything is drawn from
one seed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import ClassVar

import h5py
import numpy as np

from crossmodal.config import ConfigSection, defaults, resource_path
from crossmodal.errors import InputError
from crossmodal.regions import DEFAULT_FSAVERAGE5_REGIONS, fsaverage5_regions, fsaverage5_sphere_coordinates
from crossmodal.simulate import brain as brain_module
from crossmodal.simulate.brain import PlantedBrain, add_noise, planted_explainable_variance, convolve_hrf, plant_classes, plant_weights, voxel_signal
from crossmodal.simulate.lexicon import Lexicon, make_lexicon
from crossmodal.simulate.stimuli import (
    lowlevel_frame_features,
    make_caption,
    make_shots,
    make_story,
    render_look,
    render_movie,
    write_story_textgrid,
)

STORY_NAMES = (
    "alternateithicatom", "souls", "avatar", "legacy", "odetostepfather", "undertheinfluence",
    "howtodraw", "myfirstdaywiththeyankees", "naked", "life", "stagefright", "tildeath",
    "sloth", "exorcism", "haveyoumethimyet", "adollshouse", "inamoment", "buck",
)
TEST_STORY = "wheretheressmoke"
STORY_TR = 2.0  # ds003020's TR; the story grid convention depends on it
N_LOWLEVEL = 5

#: Sizes that ``scale: real`` substitutes, comparable to ds003020 UTS01-03.
REAL_SCALE = {
    "n_train_stories": 83,
    "story_trs": 345,
    "test_story_trs": 311,
    "n_train_movie_runs": 12,
    "movie_run_trs": 300,
    "movie_test_trs": 270,
    "n_pair_images": 31014,
    "n_val_images": 1014,
    "n_test_images": 1000,
}


@dataclass(frozen=True)
class SimulationSettings(ConfigSection):
    """Every knob of the synthetic dataset (config section ``simulate``, plus the top-level ``subjects``).

    Build it with :meth:`from_config`; defaults come from the config schema.
    See ``config/README.md`` for the meaning and default of each key.
    """

    SECTION: ClassVar[str] = "simulate"

    seed: int
    scale: str
    subjects: tuple[str, ...]
    n_train_stories: int
    story_trs: int
    test_story_trs: int
    n_train_movie_runs: int
    movie_run_trs: int
    movie_test_trs: int
    movie_fps: int
    frame_size: int
    n_pair_images: int
    n_val_images: int
    n_test_images: int
    captions_per_image: int
    n_concepts: int
    words_per_concept: int
    concept_word_prob: float
    snr: float
    test_repeats: int
    patch_radius_mm: float
    multimodal_patches_per_region: int
    language_patches_per_region: int
    story_only_concepts: int
    nan_voxels: int
    lexicon: str

    def resolved(self) -> "SimulationSettings":
        """The settings with ``scale: real`` sizes substituted."""
        if self.scale == "real":
            return replace(self, **REAL_SCALE)
        if self.scale != "small":
            raise ValueError(f"simulate.scale must be 'small' or 'real', got {self.scale!r}")
        return self

    @classmethod
    def from_config(cls, section: dict | None = None, **overrides) -> "SimulationSettings":
        """From the ``simulate`` section (``subjects`` may be given in it or as an override; default: the config's)."""
        values = {"subjects": defaults()["subjects"], **(section or {}), **overrides}
        values["subjects"] = tuple(values["subjects"])
        return cls(**cls._values(values, {}))


@dataclass(frozen=True)
class SyntheticPaths:
    """Where the synthetic dataset goes: three dataset roots and the ground truth, all inside one folder.

    The folder holding ``ground_truth`` is the simulate root (config
    ``simulate.root``); :func:`simulate_dataset` writes nothing outside it.
    """

    stories_root: Path
    movies_root: Path
    pairs_root: Path
    ground_truth: Path

    @property
    def root(self) -> Path:
        """The simulate root: the folder of ``ground_truth.h5``."""
        return Path(self.ground_truth).parent

    def roots(self) -> tuple[Path, Path, Path]:
        return (self.stories_root, self.movies_root, self.pairs_root)


#: File written into every folder the simulator creates; only folders holding it are ever deleted.
MARKER = ".crossmodal-synthetic"
#: Attribute of the ground-truth file naming its writer.
TRUTH_WRITER = "crossmodal.simulate"


def check_synthetic_roots(root: str | os.PathLike, dataset_roots: dict[str, str | os.PathLike]) -> None:
    """Every dataset root of the synthetic data must lie inside the simulate root (and not be it).

    Parameters
    ----------
    root : path
        ``simulate.root``.
    dataset_roots : dict of config key to path
        E.g. ``{"data.stories.root": ...}``.

    Raises
    ------
    InputError
        Naming the first root outside, so that a config pointing ``data.*.root``
        at downloaded data never lets the simulator touch it.
    """
    root = Path(root).resolve()
    for key, folder in dataset_roots.items():
        folder = Path(folder).resolve()
        if folder == root or root not in folder.parents:
            raise InputError(
                f"config key '{key}'", f"is {folder}, outside simulate.root ({root}); the simulator writes only inside simulate.root",
                "set simulate.enabled: false for real data, or point the data roots inside simulate.root",
            )


def _remove_own(target: Path) -> None:
    """Delete a previous synthetic dataset folder or ground-truth file, refusing anything the simulator did not write.

    A folder is deleted only if it carries :data:`MARKER` or holds no file at all.
    """
    if target.is_dir():
        holds_files = any(path.is_file() or path.is_symlink() for path in target.rglob("*"))
        if holds_files and not (target / MARKER).is_file():  # empty folders (made by Snakemake for the outputs) may go
            raise InputError(target, f"exists and was not written by the simulator (no {MARKER} file in it); refusing to replace it",
                             "move it away, or point the data roots of the synthetic dataset elsewhere inside simulate.root")
        shutil.rmtree(target)
    elif target.exists():
        try:
            with h5py.File(target, "r") as handle:
                ours = handle.attrs.get("writer") == TRUTH_WRITER
        except OSError:
            ours = False
        if not ours:
            raise InputError(target, "exists and is not a ground truth written by the simulator; refusing to replace it", "move it away")
        target.unlink()


def story_names(n_train: int) -> list[str]:
    """Names of the training stories, then the test story."""
    names = list(STORY_NAMES[:n_train]) + [f"story{i:03d}" for i in range(len(STORY_NAMES), n_train)]
    return names + [TEST_STORY]


def simulate_dataset(settings: SimulationSettings, paths: SyntheticPaths, progress: bool = False,
                     regions_file: str | os.PathLike = DEFAULT_FSAVERAGE5_REGIONS) -> None:
    """Write the whole synthetic dataset and its ground truth, only inside the simulate root.

    Everything is built in a staging folder inside the simulate root and moved
    into place at the end, so a failure leaves nothing partial under the final
    names. Each dataset folder gets a :data:`MARKER` file; an existing target
    is replaced only if it carries the marker (or is a ground truth written
    here), so a folder of real data is never deleted. Staging folders left by
    an earlier crash are removed first.

    Parameters
    ----------
    settings : SimulationSettings
    paths : SyntheticPaths
        Dataset roots inside ``paths.root``.
    progress : bool
        Show progress bars.
    regions_file : path
        fsaverage5 region definitions (``data.regions.fsaverage5``), where the classes are planted.
    """
    settings = settings.resolved()
    root = paths.root
    check_synthetic_roots(root, {"data.stories.root": paths.stories_root, "data.movies.root": paths.movies_root,
                                 "data.pairs.root": paths.pairs_root})
    root.mkdir(parents=True, exist_ok=True)
    for stale in root.glob(".simulate-*"):
        if (stale / MARKER).is_file():
            shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=".simulate-", dir=root))
    (staging / MARKER).write_text("staging folder of crossmodal.simulate\n")
    try:
        staged = SyntheticPaths(staging / "stories", staging / "movies", staging / "pairs", staging / "ground_truth.h5")
        _simulate_into(settings, staged, progress, resource_path(regions_file))
        for folder in staged.roots():
            (folder / MARKER).write_text("written by crossmodal.simulate (rule simulate); the workflow may delete and rewrite this folder\n")
        for source, target in zip(staged.roots() + (staged.ground_truth,), paths.roots() + (paths.ground_truth,)):
            target = Path(target)
            _remove_own(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(source), str(target))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _simulate_into(settings: SimulationSettings, paths: SyntheticPaths, progress: bool, regions_file) -> None:
    rng = np.random.default_rng(settings.seed)
    lexicon = make_lexicon(settings.n_concepts + settings.story_only_concepts, seed=settings.seed,
                           words_per_concept=settings.words_per_concept, path=resource_path(settings.lexicon))
    regions = fsaverage5_regions(regions_file)
    voxel_class = plant_classes(
        regions, fsaverage5_sphere_coordinates(), settings.patch_radius_mm, settings.multimodal_patches_per_region,
        settings.language_patches_per_region, rng,
    )
    planted = plant_weights(voxel_class, settings.n_concepts, N_LOWLEVEL, rng, settings.story_only_concepts)
    with h5py.File(paths.ground_truth, "w") as truth:
        _write_truth_header(truth, settings, lexicon, planted, regions.labels)
        story_latents = _write_stories(settings, lexicon, paths.stories_root, rng, truth)
        movie_latents = _write_movie_stimuli(settings, lexicon, paths.movies_root, rng, truth)
        _write_pairs(settings, lexicon, paths.pairs_root, rng, truth)
    nan_voxels = rng.choice(np.flatnonzero(voxel_class == 0), size=settings.nan_voxels, replace=False)
    for subject_index, subject in enumerate(settings.subjects):
        _write_story_responses(settings, planted, story_latents, subject, subject_index, paths.stories_root, nan_voxels)
        ev = _write_movie_responses(settings, planted, movie_latents, subject, subject_index, paths.movies_root)
    with h5py.File(paths.ground_truth, "a") as truth:
        truth.create_dataset("movie_test_explainable_variance", data=ev.astype(np.float32))
        truth["movie_test_explainable_variance"].attrs["description"] = (
            "explainable variance of one presentation of the movie test run (planted signal variance / (that + noise variance)); "
            "the same for every subject")


def _write_truth_header(truth: h5py.File, settings: SimulationSettings, lexicon: Lexicon, planted: PlantedBrain, region_labels: np.ndarray) -> None:
    truth.attrs["writer"] = TRUTH_WRITER
    truth.create_dataset("voxel_class", data=planted.voxel_class.astype(np.int8))
    truth.create_dataset("concept_weights", data=planted.concept_weights.astype(np.float32))
    truth.create_dataset("word_rate_weights", data=planted.word_rate_weights.astype(np.float32))
    truth.create_dataset("lowlevel_weights", data=planted.lowlevel_weights.astype(np.float32))
    truth.create_dataset("region_labels", data=region_labels)
    truth["voxel_class"].attrs["classes"] = json.dumps(brain_module.CLASS_NAMES)
    for key, value in asdict(settings).items():
        truth.attrs[key] = json.dumps(value) if isinstance(value, (tuple, list)) else value
    truth.attrs["concept_names"] = json.dumps(lexicon.names)
    truth.attrs["story_only_concept_names"] = json.dumps(list(lexicon.names[settings.n_concepts:]))
    truth.attrs["concept_words"] = json.dumps(lexicon.words)
    truth.attrs["hrf"] = "SPM canonical double gamma"


def _story_grid(n_trs_scan: int) -> np.ndarray:
    """Times (s from sound onset) of ds003020's feature grid: n_trs_scan - 5 TR mid-points."""
    return np.arange(n_trs_scan - 5) * STORY_TR - 10.0 + STORY_TR / 2


def _write_stories(settings, lexicon, root: Path, rng, truth) -> dict[str, dict[str, np.ndarray]]:
    derivative = root / "derivative"
    (derivative / "TextGrids").mkdir(parents=True)
    names = story_names(settings.n_train_stories)
    respdict, latents = {}, {}
    for index, name in enumerate(names):
        jitter = int(rng.integers(-settings.story_trs // 10, settings.story_trs // 10 + 1))
        n_trs_scan = settings.test_story_trs if name == TEST_STORY else settings.story_trs + jitter
        grid = _story_grid(n_trs_scan)
        duration = grid[-6]  # words end by the last kept response row
        # the test story keeps to the shared concepts: cross-modal scores are measured on what both modalities carry
        story = make_story(lexicon, duration, settings.concept_word_prob, rng, settings.n_concepts if name == TEST_STORY else None)
        form = "short_textgrid" if index == 1 else "long_textgrid"
        write_story_textgrid(story, derivative / "TextGrids" / f"{name}.TextGrid", duration + 2.0, form, overlapping_phones=name == TEST_STORY)
        words = ~story.is_filler
        midpoints = (story.onsets + story.offsets)[words] / 2
        bins = np.floor((midpoints - (grid[0] - STORY_TR / 2)) / STORY_TR).astype(int)
        concepts = np.zeros((len(grid), lexicon.n_concepts))  # shared then story-only concepts
        np.add.at(concepts, (bins[story.concepts[words] >= 0], story.concepts[words][story.concepts[words] >= 0]), 1.0)
        word_rate = np.bincount(bins, minlength=len(grid)).astype(float)
        latents[name] = {
            "concepts": convolve_hrf(concepts, STORY_TR)[10:-5],
            "word_rate": convolve_hrf(word_rate[:, None], STORY_TR)[10:-5, 0],
        }
        respdict[name] = n_trs_scan
        group = truth.create_group(f"stories/{name}")
        for key, value in latents[name].items():
            group.create_dataset(key, data=value.astype(np.float32))
    (derivative / "respdict.json").write_text(json.dumps(respdict, indent=1))
    (derivative / "subject_xfms.json").write_text(json.dumps({s: f"{s}_auto" for s in settings.subjects}, indent=1))
    return latents


def movie_run_names(n_train: int) -> list[str]:
    """Names of the training movie runs, then the test run."""
    return [f"train_{i:02d}" for i in range(n_train)] + ["test"]


def _write_movie_stimuli(settings, lexicon, root: Path, rng, truth) -> dict[str, dict[str, np.ndarray]]:
    (root / "stimuli").mkdir(parents=True)
    latents = {}
    for name in movie_run_names(settings.n_train_movie_runs):
        n_trs = settings.movie_test_trs if name == "test" else settings.movie_run_trs
        n_frames = int(round(n_trs * STORY_TR * settings.movie_fps))
        shots = make_shots(n_frames, settings.movie_fps, settings.n_concepts, rng)
        frames = render_movie(lexicon, shots, settings.movie_fps, settings.frame_size, rng)
        with h5py.File(root / "stimuli" / f"{name}.hdf", "w") as handle:
            handle.create_dataset("stimuli", data=frames, chunks=(min(64, n_frames), *frames.shape[1:]))
        tr_of_frame = (np.arange(n_frames) / settings.movie_fps // STORY_TR).astype(int)
        concept_of_frame = np.concatenate([np.full(s.n_frames, s.concept) for s in shots])
        concepts = np.zeros((n_trs, lexicon.n_concepts))  # story-only concepts never appear in a movie
        np.add.at(concepts, (tr_of_frame, concept_of_frame), 1.0)
        concepts /= np.bincount(tr_of_frame, minlength=n_trs)[:, None]
        lowlevel = np.zeros((n_trs, N_LOWLEVEL))
        np.add.at(lowlevel, tr_of_frame, lowlevel_frame_features(frames))
        lowlevel /= np.bincount(tr_of_frame, minlength=n_trs)[:, None]
        lowlevel -= lowlevel.mean(axis=0)
        latents[name] = {"concepts": convolve_hrf(concepts, STORY_TR), "lowlevel": convolve_hrf(lowlevel, STORY_TR)}
        group = truth.create_group(f"movies/{name}")
        for key, value in latents[name].items():
            group.create_dataset(key, data=value.astype(np.float32))
    return latents


def _write_pairs(settings, lexicon, root: Path, rng, truth) -> None:
    from PIL import Image

    image_dir = root / "flickr30k-images"
    image_dir.mkdir(parents=True)
    n_images = settings.n_pair_images
    splits = np.array(["train"] * (n_images - settings.n_val_images - settings.n_test_images) + ["val"] * settings.n_val_images + ["test"] * settings.n_test_images)
    splits = splits[rng.permutation(n_images)]
    concepts = rng.integers(settings.n_concepts, size=n_images)
    images, sentence_id = [], 0
    for image_id in range(n_images):
        look = render_look(
            lexicon, int(concepts[image_id]), settings.frame_size, float(rng.uniform(0.55, 1.45)),
            np.array([rng.uniform(0, 2 * np.pi)]), (float(rng.uniform(-0.2, 0.2)), float(rng.uniform(-0.2, 0.2))), rng,
        )[0]
        filename = f"{1000000 + image_id}.jpg"
        Image.fromarray(look).save(image_dir / filename, quality=95)
        sentences = []
        for _ in range(settings.captions_per_image):
            tokens = make_caption(lexicon, int(concepts[image_id]), settings.concept_word_prob, rng)
            raw = " ".join(tokens).capitalize() + " ."
            sentences.append({"raw": raw, "tokens": tokens, "imgid": image_id, "sentid": sentence_id})
            sentence_id += 1
        images.append({
            "filename": filename, "imgid": image_id, "split": str(splits[image_id]),
            "sentids": [s["sentid"] for s in sentences], "sentences": sentences,
        })
    (root / "dataset_flickr30k.json").write_text(json.dumps({"dataset": "flickr30k", "images": images}))
    truth.create_dataset("pairs/concepts", data=concepts.astype(np.int16))


def _write_story_responses(settings, planted, latents, subject, subject_index, root: Path, nan_voxels) -> None:
    rng = np.random.default_rng([settings.seed, subject_index, 1])
    names = list(latents)
    shared = settings.n_concepts  # story-only concepts add their signal on top of the shared signal's SNR
    shared_brain = replace(planted, concept_weights=planted.concept_weights[:, :shared])
    signals = [voxel_signal(shared_brain, latents[n]["concepts"][:, :shared], latents[n]["word_rate"], None) for n in names]
    extra = [latents[n]["concepts"][:, shared:] @ planted.concept_weights[:, shared:].T for n in names]
    scales = [1 / np.sqrt(settings.test_repeats) if n == TEST_STORY else 1.0 for n in names]
    responses = add_noise(signals, settings.snr, scales, rng, extra_runs=extra)
    folder = root / "derivative" / "preprocessed_data" / subject
    folder.mkdir(parents=True)
    for index, (name, data) in enumerate(zip(names, responses)):
        if subject_index == 0 and index == 0:
            data[:, nan_voxels] = np.nan
        with h5py.File(folder / f"{name}.hf5", "w") as handle:
            handle.create_dataset("data", data=data)


def _write_movie_responses(settings, planted, latents, subject, subject_index, root: Path) -> np.ndarray:
    """Write one subject's short-clips responses file; the test run with its ``test_repeats`` presentations.

    Returns
    -------
    ev : array of shape (n_voxels,)
        The planted explainable variance of one presentation of the test run.
    """
    rng = np.random.default_rng([settings.seed, subject_index, 2])
    names = list(latents)
    signals = [voxel_signal(planted, latents[n]["concepts"], None, latents[n]["lowlevel"]) for n in names]
    repeats = [settings.test_repeats if n == "test" else 0 for n in names]
    responses = add_noise(signals, settings.snr, [1.0] * len(names), rng, repeats=repeats)
    train = responses[:-1]
    (root / "responses").mkdir(parents=True, exist_ok=True)
    with h5py.File(root / "responses" / f"{subject}_responses.hdf", "w") as handle:
        handle.create_dataset("Y_train", data=np.concatenate(train))
        handle.create_dataset("Y_test", data=responses[-1])
        handle.create_dataset("run_onsets", data=np.cumsum([0] + [len(r) for r in train[:-1]]).astype(np.int64))
    return planted_explainable_variance(signals, settings.snr, names.index("test"))
