"""Loaders of the real on-disk layouts (and of the synthetic data written in them).

Every loader returns typed results (:class:`ModalityData`, :class:`PairData`)
and raises :class:`crossmodal.errors.InputError` with one line naming the
file, the problem and the fix.
"""

from dataclasses import replace

from crossmodal.data.generic import load_generic
from crossmodal.data.movies import load_shortclips, run_tr_times
from crossmodal.data.pairs import load_karpathy_pairs
from crossmodal.data.runs import dataset_subject, listed_runs, split_runs, subject_run_names
from crossmodal.data.stories import load_ds003020, story_tr_times
from crossmodal.data.textgrid import is_filler, read_word_events
from crossmodal.data.types import FrameRun, ModalityData, PairData, ResponseRun, WordEvents
from crossmodal.errors import InputError

__all__ = [
    "FrameRun", "ModalityData", "PairData", "ResponseRun", "WordEvents", "check_paired_voxels", "dataset_subject",
    "is_filler", "load_ds003020", "load_generic", "load_karpathy_pairs", "load_modality",
    "listed_runs", "load_shortclips", "load_stimulus", "read_word_events", "split_runs", "run_tr_times", "story_tr_times", "subject_run_names",
]


def load_modality(section: dict, modality: str, subject: str) -> ModalityData:
    """Load a subject's data of one modality as the config section describes.

    Parameters
    ----------
    section : dict
        ``data.stories`` or ``data.movies`` of the config: ``layout``, ``root``
        and the layout's own keys.
    modality : {"story", "movie"}
    subject : str

    Returns
    -------
    ModalityData
    """
    layout = section["layout"]
    name = dataset_subject(section, subject)
    if layout == "ds003020":
        data = load_ds003020(section["root"], name, list(section["test_stories"]), section.get("train_stories"))
    elif layout == "shortclips":
        data = load_shortclips(section["root"], name, tr=section["tr"], fps=section["fps"])
    elif layout == "generic":
        data = load_generic(section["root"], modality, name)
    else:
        raise ValueError(f"unknown layout {layout!r}")
    return replace(data, subject=subject, dataset_subject="" if name == subject else name)


def check_paired_voxels(story: ModalityData, movie: ModalityData) -> None:
    """A subject's story and movie responses must cover the same voxels.

    Parameters
    ----------
    story, movie : ModalityData
        The same workflow subject's data of both modalities.

    Raises
    ------
    InputError
        Naming both datasets' subjects and voxel counts, and the pairing key.
    """
    if story.n_voxels == movie.n_voxels:
        return
    names = [f"{data.modality} data{f' (as {data.dataset_subject})' if data.dataset_subject else ''}: {data.n_voxels} voxels"
             for data in (story, movie)]
    raise InputError(f"subject {story.subject}", f"has different voxel counts ({'; '.join(names)}), so they cannot be from the same voxel space",
                     "pair each subject with the movie data of the same person in data.movies.subjects (e.g. {UTS01: S01}), "
                     "in the same voxel space as the stories")


def load_stimulus(section: dict, modality: str, run: str) -> WordEvents | FrameRun:
    """The stimulus of one run (shared by all subjects), without loading responses.

    Parameters
    ----------
    section : dict
        ``data.stories`` or ``data.movies`` of the config.
    modality : {"story", "movie"}
    run : str

    Returns
    -------
    WordEvents (stories) or FrameRun (movies)
    """
    from pathlib import Path

    from crossmodal.data.generic import _generic_stimulus
    from crossmodal.data.movies import frame_run
    from crossmodal.data.stories import derivative_folder

    root = Path(section["root"])
    if section["layout"] == "ds003020":
        return read_word_events(derivative_folder(root) / "TextGrids" / f"{run}.TextGrid")
    if section["layout"] == "shortclips":
        return frame_run(root / "stimuli" / f"{run}.hdf", run, "stimuli", section["fps"])
    return _generic_stimulus(root / modality / "stimuli" / f"{run}.h5", run)
