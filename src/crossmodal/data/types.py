"""Typed results of the loaders: response runs, word events, frame runs, pairs."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import h5py
import numpy as np


@dataclass(frozen=True)
class ResponseRun:
    """One run (a story or a movie run) of one subject's fMRI responses.

    Responses are not held in memory: :meth:`read` reads any voxel range, so
    a real-sized subject can be streamed in voxel batches.

    Attributes
    ----------
    name : str
        Run name (story name, ``train_00``, ...).
    source : Path
        File holding the responses.
    dataset : str
        HDF5 dataset inside ``source``.
    first_row, n_trs : int
        The run is rows ``first_row : first_row + n_trs`` of the dataset.
    n_voxels : int
    tr : float
        Repetition time (s).
    tr_times : array of shape (n_trs,), float
        Time of each response row on the stimulus clock (s): the TR mid-point,
        relative to sound onset for ds003020 stories and to the run start
        otherwise.
    n_repeats : int
        0 for a single (or already averaged) response, stored
        ``(n_rows, n_voxels)``; ``r >= 1`` for a run stored with its
        repeated presentations, ``(r, n_rows, n_voxels)`` (the published
        short-clips ``Y_test``): :meth:`read` returns their mean and
        :meth:`read_repeats` each one.
    """

    name: str
    source: Path
    dataset: str
    first_row: int
    n_trs: int
    n_voxels: int
    tr: float
    tr_times: np.ndarray = field(repr=False)
    n_repeats: int = 0

    def read(self, voxels: slice = slice(None)) -> np.ndarray:
        """Read the responses of a voxel range (the mean over repeats, if stored), NaN replaced by 0.

        Parameters
        ----------
        voxels : slice
            Voxel columns to read.

        Returns
        -------
        responses : array of shape (n_trs, n_selected_voxels), float32
        """
        if self.n_repeats:
            return self.read_repeats(voxels).mean(axis=0)
        with h5py.File(self.source, "r") as handle:
            block = handle[self.dataset][self.first_row : self.first_row + self.n_trs, voxels]
        block = np.asarray(block, dtype=np.float32)
        np.nan_to_num(block, copy=False, nan=0.0)
        return block

    def read_repeats(self, voxels: slice = slice(None), replace_nan: bool = True) -> np.ndarray:
        """Read every repeat of a voxel range.

        Parameters
        ----------
        voxels : slice
        replace_nan : bool
            Replace NaN by 0 (as :meth:`read` does); False keeps them (the
            noise ceiling of a voxel with missing values is then NaN).

        Returns
        -------
        repeats : array of shape (n_repeats, n_trs, n_selected_voxels), float32
            For a run without stored repeats, its one response as a single repeat.
        """
        if not self.n_repeats:
            return self.read(voxels)[None]
        with h5py.File(self.source, "r") as handle:
            block = handle[self.dataset][:, self.first_row : self.first_row + self.n_trs, voxels]
        block = np.asarray(block, dtype=np.float32)
        if replace_nan:
            np.nan_to_num(block, copy=False, nan=0.0)
        return block

    def count_nans(self, voxel_batch: int = 20000) -> int:
        """Number of NaN entries that :meth:`read` replaces by 0 (over all repeats, if stored)."""
        total = 0
        rows = slice(self.first_row, self.first_row + self.n_trs)
        with h5py.File(self.source, "r") as handle:
            data = handle[self.dataset]
            for start in range(0, self.n_voxels, voxel_batch):
                columns = slice(start, start + voxel_batch)
                block = data[:, rows, columns] if self.n_repeats else data[rows, columns]
                total += int(np.isnan(block).sum())
        return total


@dataclass(frozen=True)
class WordEvents:
    """Timed words of a story, filler tokens removed.

    Attributes
    ----------
    words : array of shape (n_words,), str
    onsets, offsets : arrays of shape (n_words,), float (s)
    source : Path
        The file the words were read from.
    """

    words: np.ndarray
    onsets: np.ndarray
    offsets: np.ndarray
    source: Path

    @property
    def times(self) -> np.ndarray:
        """Word times: the midpoint of each word's interval, shape (n_words,)."""
        return (self.onsets + self.offsets) / 2.0

    def __len__(self) -> int:
        return len(self.words)


@dataclass(frozen=True)
class FrameRun:
    """The frames of one movie run, read lazily from HDF5.

    Attributes
    ----------
    name : str
    source : Path
    dataset : str
    n_frames : int
    fps : float
    frame_shape : tuple of int
        (height, width, 3).
    """

    name: str
    source: Path
    dataset: str
    n_frames: int
    fps: float
    frame_shape: tuple[int, int, int]

    @contextmanager
    def open(self) -> Iterator[h5py.Dataset]:
        """Yield the frame dataset, (n_frames, H, W, 3) uint8, without reading it."""
        with h5py.File(self.source, "r") as handle:
            yield handle[self.dataset]

    @property
    def times(self) -> np.ndarray:
        """Display time of every frame (s from run start): ``i / fps``, shape (n_frames,)."""
        return np.arange(self.n_frames) / self.fps

    def __len__(self) -> int:
        return self.n_frames


@dataclass(frozen=True)
class ModalityData:
    """One subject's responses to one modality, with their stimuli.

    Attributes
    ----------
    subject : str
    modality : {"story", "movie"}
    layout : str
        The on-disk layout the data came from (``ds003020``, ``shortclips``, ``generic``).
    train_runs, test_runs : list of ResponseRun
    stimuli : dict of str to WordEvents or FrameRun
        The stimulus of every run, by run name.
    dataset_subject : str
        The dataset's own name for the subject (``data.movies.subjects``
        pairs e.g. ``UTS01`` with short-clips ``S01``); empty if the same.
    """

    subject: str
    modality: str
    layout: str
    train_runs: list[ResponseRun]
    test_runs: list[ResponseRun]
    stimuli: dict[str, WordEvents | FrameRun]
    dataset_subject: str = ""

    @property
    def runs(self) -> list[ResponseRun]:
        """Training runs then test runs."""
        return self.train_runs + self.test_runs

    @property
    def n_voxels(self) -> int:
        return self.runs[0].n_voxels


@dataclass(frozen=True)
class PairData:
    """Image-caption pairs (Flickr30K Karpathy layout).

    Attributes
    ----------
    image_paths : list of Path, length n_images
    image_ids : array of shape (n_images,), int
    image_splits : array of shape (n_images,), str
        ``train``, ``val`` or ``test``.
    captions : list of str, length n_captions
    caption_image : array of shape (n_captions,), int
        Index into the images of each caption's image.
    caption_words : list of lists of str, length n_captions
        The words of each caption (the Karpathy ``tokens``; empty lists when
        not given).
    """

    image_paths: list[Path]
    image_ids: np.ndarray
    image_splits: np.ndarray
    captions: list[str]
    caption_image: np.ndarray
    caption_words: list[list[str]] = field(default_factory=list)

    def split(self, name: str) -> "PairData":
        """The pairs of one split, with ``caption_image`` re-indexed."""
        keep = np.flatnonzero(self.image_splits == name)
        new_index = np.full(len(self.image_paths), -1)
        new_index[keep] = np.arange(len(keep))
        caption_keep = np.flatnonzero(np.isin(self.caption_image, keep))
        return PairData(
            [self.image_paths[i] for i in keep],
            self.image_ids[keep],
            self.image_splits[keep],
            [self.captions[i] for i in caption_keep],
            new_index[self.caption_image[caption_keep]],
            [self.caption_words[i] for i in caption_keep] if self.caption_words else [],
        )


class ResponseMatrix:
    """Several runs' responses seen as one (n_trs, n_voxels) matrix, read by voxel range.

    Only column slices are supported (``matrix[:, start:stop]``), which read
    that voxel range from every run and stack the runs, so a real-sized
    subject is streamed one voxel batch at a time.

    Parameters
    ----------
    runs : sequence of ResponseRun
    """

    def __init__(self, runs: list[ResponseRun]):
        self.runs = list(runs)
        self.shape = (sum(r.n_trs for r in self.runs), self.runs[0].n_voxels)
        self.dtype = np.dtype(np.float32)
        self.ndim = 2

    def __getitem__(self, key) -> np.ndarray:
        rows, columns = key if isinstance(key, tuple) else (key, slice(None))
        if rows != slice(None) or not isinstance(columns, slice):
            raise TypeError("ResponseMatrix supports only [:, start:stop]")
        return np.concatenate([run.read(columns) for run in self.runs])

    def __len__(self) -> int:
        return self.shape[0]
