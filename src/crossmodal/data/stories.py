"""Stories in the OpenNeuro ds003020 layout (LeBel et al. 2023).

::

    <root>/derivative/ (or derivatives/)
      preprocessed_data/<SUBJECT>/<story>.hf5   "data": (respdict[story] - 20, n_voxels)
      TextGrids/<story>.TextGrid                word tier = second tier
      respdict.json                             {story: n_TR_of_scan}
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from crossmodal.data.hdf5 import dataset_shape, read_json
from crossmodal.data.runs import listed_runs, split_runs
from crossmodal.data.textgrid import read_word_events
from crossmodal.data.types import ModalityData, ResponseRun
from crossmodal.errors import InputError

STORY_TR = 2.0
#: Rows trimmed from the (respdict - 5)-TR feature grid: [10:-5].
TRIM_START, TRIM_END = 10, 5
#: Response rows are respdict - 20 (ds003020 trims 10 + 5 TRs and the grid is respdict - 5 long).
ROWS_MISSING = 20
SOUND_ONSET = 10.0


def story_tr_times(n_trs_scan: int, tr: float = STORY_TR, onset: float = SOUND_ONSET) -> np.ndarray:
    """Times of a ds003020 story's response rows, relative to sound onset.

    The feature grid has ``n_trs_scan - 5`` TRs with mid-times
    ``k * tr - onset + tr / 2``; rows ``[10:-5]`` are kept, which leaves
    ``n_trs_scan - 20`` rows, the rows of the response file.

    Parameters
    ----------
    n_trs_scan : int
        The story's entry in ``respdict.json``.

    Returns
    -------
    times : array of shape (n_trs_scan - 20,), float
    """
    grid = np.arange(n_trs_scan - 5) * tr - onset + tr / 2
    return grid[TRIM_START:-TRIM_END]


def derivative_folder(root: Path) -> Path:
    """``<root>/derivative`` or, in newer releases, ``<root>/derivatives``."""
    for name in ("derivative", "derivatives"):
        if (root / name).is_dir():
            return root / name
    raise InputError(
        root, "has no derivative/ or derivatives/ folder",
        "point data.stories.root at the ds003020 dataset root (the folder that holds derivative/)",
    )


def pycortex_location(root: str | Path, subject: str) -> tuple[Path, str] | None:
    """Where a ds003020 subject's pycortex database and transform are, if the dataset has them.

    Parameters
    ----------
    root : str or Path
        The ds003020 dataset root.
    subject : str

    Returns
    -------
    (database, xfm) or None
        ``derivative/pycortex-db`` and the subject's transform name from
        ``subject_xfms.json``; None when the dataset has no pycortex database
        for this subject.
    """
    derivative = derivative_folder(Path(root))
    database = derivative / "pycortex-db"
    if not (database / subject).is_dir():
        return None
    xfms_path = derivative / "subject_xfms.json"
    xfms = read_json(xfms_path, "restore subject_xfms.json from the ds003020 derivative folder")
    if subject not in xfms:
        raise InputError(xfms_path, f"has no transform for subject {subject!r}", "use the subject_xfms.json of the same ds003020 release")
    return database, str(xfms[subject])


def load_ds003020(root: str | Path, subject: str, test_stories: list[str], train_stories: list[str] | None = None) -> ModalityData:
    """Load one subject's story responses and word timings.

    Parameters
    ----------
    root : str or Path
        The ds003020 dataset root.
    subject : str
        E.g. ``UTS01``.
    test_stories : list of str
        Held-out stories (ds003020: ``["wheretheressmoke"]``).
    train_stories : list of str or None
        Training stories; None takes every other story the subject has.

    Returns
    -------
    ModalityData
        ``modality="story"``; each run's ``tr_times`` follow :func:`story_tr_times`.
    """
    derivative = derivative_folder(Path(root))
    respdict = read_json(derivative / "respdict.json", "restore respdict.json from the ds003020 derivative folder")
    subject_folder = derivative / "preprocessed_data" / subject
    section = {"layout": "ds003020", "root": str(root), "test_stories": test_stories, "train_stories": train_stories}
    train_stories, test_stories = split_runs(section, "story", listed_runs(section, "story", subject))
    train_runs = [_story_run(derivative, subject_folder, s, respdict) for s in train_stories]
    test_runs = [_story_run(derivative, subject_folder, s, respdict) for s in test_stories]
    _check_same_voxels(train_runs + test_runs)
    stimuli = {run.name: read_word_events(derivative / "TextGrids" / f"{run.name}.TextGrid") for run in train_runs + test_runs}
    return ModalityData(subject, "story", "ds003020", train_runs, test_runs, stimuli)


def _story_run(derivative: Path, subject_folder: Path, story: str, respdict: dict) -> ResponseRun:
    path = subject_folder / f"{story}.hf5"
    shape, _ = dataset_shape(path, "data", "use the preprocessed_data .hf5 files of ds003020 (dataset \"data\": TRs x voxels)")
    if story not in respdict:
        raise InputError(derivative / "respdict.json", f"has no entry for story {story!r}", "use the respdict.json of the same ds003020 release")
    expected = int(respdict[story]) - ROWS_MISSING
    if len(shape) != 2 or shape[0] != expected:
        raise InputError(
            path, f"has {shape[0]} rows but respdict.json gives {respdict[story]} TRs, so {expected} rows (respdict - 20) are expected",
            "use response files and respdict.json from the same ds003020 release",
        )
    return ResponseRun(story, path, "data", 0, shape[0], shape[1], STORY_TR, story_tr_times(int(respdict[story])))


def _check_same_voxels(runs: list[ResponseRun]) -> None:
    """Every run of a subject must have the same number of voxels."""
    for run in runs[1:]:
        if run.n_voxels != runs[0].n_voxels:
            raise InputError(
                run.source, f"has {run.n_voxels} voxels but {runs[0].source.name} has {runs[0].n_voxels}",
                "all runs of a subject must use the same voxel mask",
            )
