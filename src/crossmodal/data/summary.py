"""One-row summaries of loaded datasets (``results/data/summary.tsv``)."""

from __future__ import annotations

from crossmodal.data.types import FrameRun, ModalityData, PairData, WordEvents


def summarize_modality(data: ModalityData) -> dict:
    """Counts of one subject's data of one modality.

    Returns
    -------
    dict
        subject, dataset_subject (the dataset's name for the subject),
        modality, layout, train_runs, test_runs, train_trs, test_trs,
        test_repeats (stored repeats of the test runs, 0 if averaged), voxels,
        events (words or frames), event_kind, nans_replaced.
    """
    events = 0
    for stimulus in data.stimuli.values():
        events += len(stimulus)
    kinds = {type(s) for s in data.stimuli.values()}
    event_kind = "words" if kinds == {WordEvents} else "frames" if kinds == {FrameRun} else "mixed"
    return {
        "subject": data.subject,
        "dataset_subject": data.dataset_subject or data.subject,
        "modality": data.modality,
        "layout": data.layout,
        "train_runs": len(data.train_runs),
        "test_runs": len(data.test_runs),
        "train_trs": sum(r.n_trs for r in data.train_runs),
        "test_trs": sum(r.n_trs for r in data.test_runs),
        "test_repeats": min(r.n_repeats for r in data.test_runs),
        "voxels": data.n_voxels,
        "events": events,
        "event_kind": event_kind,
        "nans_replaced": sum(r.count_nans() for r in data.runs),
    }


def summarize_pairs(pairs: PairData) -> list[dict]:
    """Images and captions per split of the pairs dataset."""
    rows = []
    for split in ("train", "val", "test"):
        part = pairs.split(split)
        rows.append({"split": split, "images": len(part.image_paths), "captions": len(part.captions)})
    return rows


def check_planned_runs(data: ModalityData, planned_train: list[str], planned_test: list[str]) -> None:
    """Check that the loader found exactly the runs the workflow planned its jobs for.

    Parameters
    ----------
    data : ModalityData
    planned_train, planned_test : list of str
        Run names the DAG was built with (:func:`crossmodal.data.runs.split_runs`).

    Raises
    ------
    InputError
        The lists differ (in names or order).
    """
    from crossmodal.errors import InputError

    loaded = ([r.name for r in data.train_runs], [r.name for r in data.test_runs])
    if loaded != (list(planned_train), list(planned_test)):
        raise InputError(
            f"{data.subject} {data.modality} data", f"have runs {loaded[0]} + {loaded[1]}, the workflow planned {list(planned_train)} + {list(planned_test)}",
            "the data changed after the workflow was started: run snakemake again",
        )
