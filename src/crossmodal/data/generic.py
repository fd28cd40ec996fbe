"""The project's generic layout, for data in neither ds003020 nor short-clips form.

::

    <root>/<modality>/<SUBJECT>/<run>.h5   "data": (n_TR, n_voxels) float32; attrs: tr (s)
    <root>/<modality>/stimuli/<run>.h5     frames: "frames" (n, H, W, 3) uint8 + attrs fps
                                           or words: "words" (n,) str + "onsets" + "offsets" (s)
    <root>/<modality>/runs.json            {"train": [...], "test": [...]}

``<modality>`` is ``story`` or ``movie``. Word and frame times are relative
to the run start; response row ``k`` is the TR whose mid-point is
``(k + 0.5) * tr``.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from crossmodal.data.annex import require_content
from crossmodal.data.hdf5 import check_frames, dataset_shape
from crossmodal.data.movies import frame_run, run_tr_times
from crossmodal.data.runs import split_runs
from crossmodal.data.stories import _check_same_voxels
from crossmodal.data.textgrid import is_filler
from crossmodal.data.types import ModalityData, ResponseRun, WordEvents
from crossmodal.errors import InputError


def load_generic(root: str | Path, modality: str, subject: str) -> ModalityData:
    """Load one subject's responses and stimuli of one modality (generic layout).

    Parameters
    ----------
    root : str or Path
    modality : {"story", "movie"}
    subject : str

    Returns
    -------
    ModalityData
    """
    folder = Path(root) / modality
    train_names, test_names = split_runs({"layout": "generic", "root": str(root)}, modality, [])
    subject_folder = folder / subject
    if not subject_folder.is_dir():
        found = sorted(p.name for p in folder.glob("*") if p.is_dir() and p.name != "stimuli")
        pairing = " or pair each subject with its name here in data.movies.subjects (e.g. {UTS01: S01})" if modality == "movie" else ""
        raise InputError(subject_folder, f"subject not found (subjects here: {', '.join(found) or 'none'})", f"fix the subjects list in the config{pairing}")
    train_runs = [_generic_run(subject_folder / f"{name}.h5", name) for name in train_names]
    test_runs = [_generic_run(subject_folder / f"{name}.h5", name) for name in test_names]
    _check_same_voxels(train_runs + test_runs)
    stimuli = {run.name: _generic_stimulus(folder / "stimuli" / f"{run.name}.h5", run.name) for run in train_runs + test_runs}
    return ModalityData(subject, modality, "generic", train_runs, test_runs, stimuli)


def _generic_run(path: Path, name: str) -> ResponseRun:
    shape, _ = dataset_shape(path, "data", 'store each run\'s responses as dataset "data" (TRs x voxels) with attribute tr')
    with h5py.File(path, "r") as handle:
        if "tr" not in handle["data"].attrs:
            raise InputError(path, 'dataset "data" has no attribute "tr"', "set data.attrs['tr'] to the repetition time in seconds")
        tr = float(handle["data"].attrs["tr"])
    return ResponseRun(name, path, "data", 0, shape[0], shape[1], tr, run_tr_times(shape[0], tr))


def _generic_stimulus(path: Path, name: str):
    require_content(path)
    if not path.is_file():
        raise InputError(path, f"stimulus of run {name} not found", "add a stimuli/<run>.h5 file for every run in runs.json")
    with h5py.File(path, "r") as handle:
        if "frames" in handle:
            if "fps" not in handle["frames"].attrs and "fps" not in handle.attrs:
                raise InputError(path, 'frames have no "fps" attribute', "set frames.attrs['fps'] to the frame rate")
            fps = handle["frames"].attrs.get("fps", handle.attrs.get("fps"))
            check_frames(path, handle["frames"].shape, str(handle["frames"].dtype))
            return frame_run(path, name, "frames", float(fps))
        if {"words", "onsets", "offsets"} <= set(handle):
            words = np.array([w.decode() if isinstance(w, bytes) else str(w) for w in handle["words"][()]])
            onsets, offsets = handle["onsets"][()].astype(float), handle["offsets"][()].astype(float)
            keep = np.array([not is_filler(w) for w in words], dtype=bool)
            return WordEvents(words[keep], onsets[keep], offsets[keep], path)
    raise InputError(path, 'has neither "frames" nor "words"/"onsets"/"offsets"', "store frames (uint8 n x H x W x 3, attrs fps) or timed words")
