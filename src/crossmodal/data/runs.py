"""Which runs a subject has and which of them train and test: one rule for real and synthetic data.

The workflow needs every subject's run names when it builds its DAG, before
any data file is read (and, for the synthetic default, before the data
exist). The loaders need the same names when they read the data. Both call
:func:`split_runs`, so the two lists cannot disagree:

* ``ds003020``: the test stories are ``data.stories.test_stories``; the
  training stories are ``data.stories.train_stories`` when given, else every
  other story the subject has, **sorted by name**;
* ``shortclips``: ``train_00, train_01, ...`` sorted by name (the order of
  ``run_onsets`` in the responses file), and ``test``;
* ``generic``: the lists of ``<root>/<modality>/runs.json``.

:func:`listed_runs` finds the available runs from directory listings and small
JSON files only (no HDF5 or TextGrid is opened), so building the DAG on a
real-sized dataset stays fast.
"""

from __future__ import annotations

from pathlib import Path

from crossmodal.data.hdf5 import read_json
from crossmodal.errors import InputError

__all__ = ["dataset_subject", "listed_runs", "split_runs", "subject_run_names"]


def dataset_subject(section: dict, subject: str) -> str:
    """The name a dataset gives a subject: ``section["subjects"][subject]`` if mapped, else ``subject``.

    Parameters
    ----------
    section : dict
        ``data.stories`` or ``data.movies`` of the config (only the movie
        section has a ``subjects`` mapping, e.g. ``{UTS01: S01}``).
    subject : str
        The workflow's subject ID (an entry of ``subjects``).

    Returns
    -------
    str
    """
    return str(dict(section.get("subjects") or {}).get(subject, subject))


def split_runs(section: dict, modality: str, available: list[str]) -> tuple[list[str], list[str]]:
    """Training and test run names of one subject, from the runs it has.

    Parameters
    ----------
    section : dict
        ``data.stories`` or ``data.movies`` of the config (``layout`` and the
        layout's keys).
    modality : {"story", "movie"}
    available : list of str
        Every run the subject has (file stems; for ``generic``, ignored:
        ``runs.json`` decides).

    Returns
    -------
    train_runs, test_runs : list of str
    """
    layout = section["layout"]
    if layout == "ds003020":
        test = [str(name) for name in section["test_stories"]]
        if section.get("train_stories"):
            return [str(name) for name in section["train_stories"]], test
        return sorted(set(available) - set(test)), test
    if layout == "shortclips":
        return sorted(name for name in available if name.startswith("train_")), ["test"]
    if layout == "generic":
        return _generic_split(Path(section["root"]) / modality / "runs.json")
    raise InputError(f"data layout {layout!r}", "is not a known layout", "use ds003020, shortclips or generic")


def listed_runs(section: dict, modality: str, subject: str) -> list[str]:
    """Every run a subject has, from directory listings (no data file is opened).

    Parameters
    ----------
    section : dict
        ``data.stories`` or ``data.movies`` of the config.
    modality : {"story", "movie"}
    subject : str

    Returns
    -------
    list of str
        Run names (sorted).
    """
    root = Path(section["root"])
    layout = section["layout"]
    subject = dataset_subject(section, subject)
    if layout == "ds003020":
        from crossmodal.data.stories import derivative_folder

        folder = derivative_folder(root) / "preprocessed_data" / subject
        if not folder.is_dir():
            found = sorted(p.name for p in folder.parent.glob("*") if p.is_dir())
            raise InputError(folder, f"subject not found (subjects here: {', '.join(found) or 'none'})",
                             "fix the subjects list in the config or download this subject")
        return sorted(p.stem for p in folder.glob("*.hf5"))
    if layout == "shortclips":
        return sorted(p.stem for p in (root / "stimuli").glob("train_*.hdf")) + ["test"]
    if layout == "generic":
        train, test = _generic_split(root / modality / "runs.json")
        return sorted(train + test)
    raise InputError(f"data layout {layout!r}", "is not a known layout", "use ds003020, shortclips or generic")


def subject_run_names(section: dict, modality: str, subject: str) -> tuple[list[str], list[str]]:
    """Training and test run names of a subject, from directory listings.

    Returns
    -------
    train_runs, test_runs : list of str
    """
    return split_runs(section, modality, listed_runs(section, modality, subject))


def _generic_split(runs_file: Path) -> tuple[list[str], list[str]]:
    split = read_json(runs_file, f'write {runs_file} as {{"train": [run, ...], "test": [run, ...]}}')
    if not isinstance(split, dict) or not isinstance(split.get("train"), list) or not isinstance(split.get("test"), list):
        raise InputError(runs_file, 'must be an object with lists "train" and "test"', 'write it as {"train": [run, ...], "test": [run, ...]}')
    return [str(name) for name in split["train"]], [str(name) for name in split["test"]]
