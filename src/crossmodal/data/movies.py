"""Movies in the Gallant lab short-clips layout.

::

    <root>/stimuli/train_00.hdf .. train_NN.hdf, test.hdf   "stimuli": (n_frames, H, W, 3) uint8
    <root>/responses/<SUBJECT>_responses.hdf
        Y_train (n_TR_train, n_voxels),
        Y_test (n_repeats, n_TR_test, n_voxels) as published (10 repeats),
               or already averaged, (n_TR_test, n_voxels),
        run_onsets (n_runs,): first TR of each training run in Y_train

A 3-D ``Y_test`` is read as the mean over repeats (what is scored); its
repeats give each voxel's noise ceiling (:mod:`crossmodal.ceiling`).

Frame ``i`` of a run is shown at ``i / fps`` s from the run start; response
row ``k`` of a run is the TR whose mid-point is ``(k + 0.5) * tr``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from crossmodal.data.annex import require_content
from crossmodal.data.hdf5 import check_frames, dataset_shape, read_small_dataset
from crossmodal.data.stories import _check_same_voxels
from crossmodal.data.types import FrameRun, ModalityData, ResponseRun
from crossmodal.errors import InputError


def run_tr_times(n_trs: int, tr: float) -> np.ndarray:
    """TR mid-points from the run start, ``(k + 0.5) * tr``, shape (n_trs,)."""
    return (np.arange(n_trs) + 0.5) * tr


def frame_run(path: Path, name: str, dataset: str, fps: float) -> FrameRun:
    """Describe (without reading) the frames of one run, checking their type."""
    shape, dtype = dataset_shape(path, dataset, f'store the frames of run {name} as dataset "{dataset}"')
    check_frames(path, shape, dtype)
    return FrameRun(name, path, dataset, shape[0], float(fps), tuple(shape[1:]))


def load_shortclips(root: str | Path, subject: str, tr: float = 2.0, fps: float = 15.0) -> ModalityData:
    """Load one subject's movie responses and frames (short-clips layout).

    Parameters
    ----------
    root : str or Path
    subject : str
    tr : float
        Repetition time of the responses (s).
    fps : float
        Frame rate of the stimuli (the short-clips data: 15).

    Returns
    -------
    ModalityData
        ``modality="movie"``: training runs ``train_00``.. split by
        ``run_onsets``, test run ``test``.
    """
    root = Path(root)
    stimulus_files = sorted((root / "stimuli").glob("train_*.hdf"))
    if not stimulus_files:
        raise InputError(root / "stimuli", "no train_*.hdf stimulus files found", "point data.movies.root at the short-clips folder holding stimuli/ and responses/")
    names = [p.stem for p in stimulus_files] + ["test"]
    stimuli = {name: frame_run(root / "stimuli" / f"{name}.hdf", name, "stimuli", fps) for name in names}
    path = root / "responses" / f"{subject}_responses.hdf"
    require_content(path)
    if not path.is_file():
        found = sorted(p.name.split("_responses")[0] for p in (root / "responses").glob("*_responses.hdf"))
        raise InputError(path, f"subject not found (subjects here: {', '.join(found) or 'none'})", "fix the subjects list in the config, or pair each subject with its name here in data.movies.subjects (e.g. {UTS01: S01})")
    fix = "use the short-clips responses file (Y_train, Y_test, run_onsets)"
    train_shape, _ = dataset_shape(path, "Y_train", fix)
    test_shape, _ = dataset_shape(path, "Y_test", fix)
    onsets = np.asarray(read_small_dataset(path, "run_onsets", fix), dtype=int)
    if len(onsets) != len(stimulus_files) or onsets[0] != 0 or np.any(np.diff(onsets) <= 0) or onsets[-1] >= train_shape[0]:
        raise InputError(
            path, f"run_onsets {onsets.tolist()} do not split Y_train ({train_shape[0]} TRs) into the {len(stimulus_files)} training runs of stimuli/",
            "run_onsets must start at 0, increase, and have one entry per train_*.hdf file",
        )
    bounds = list(onsets) + [train_shape[0]]
    train_runs = [
        ResponseRun(name, path, "Y_train", int(start), int(stop - start), train_shape[1], tr, run_tr_times(int(stop - start), tr))
        for name, start, stop in zip(names[:-1], bounds[:-1], bounds[1:])
    ]
    test_runs = [_test_run(path, test_shape, tr)]
    _check_same_voxels(train_runs + test_runs)
    return ModalityData(subject, "movie", "shortclips", train_runs, test_runs, stimuli)


def _test_run(path: Path, shape: tuple[int, ...], tr: float) -> ResponseRun:
    """The test run of a short-clips responses file: ``Y_test`` 2-D (averaged) or 3-D (repeats, TRs, voxels)."""
    if len(shape) == 2:
        return ResponseRun("test", path, "Y_test", 0, shape[0], shape[1], tr, run_tr_times(shape[0], tr))
    if len(shape) == 3:
        return ResponseRun("test", path, "Y_test", 0, shape[1], shape[2], tr, run_tr_times(shape[1], tr), n_repeats=shape[0])
    raise InputError(path, f"Y_test has shape {shape}, expected (n_repeats, n_TRs, n_voxels) or (n_TRs, n_voxels)",
                     "use the short-clips responses file as published")
