"""The one way every output file is written: to a temporary file beside it, then renamed.

A crash, a ``kill -9`` or a full disk in the middle of a write leaves at most
a hidden temporary file (``.<name>.<random>.tmp``, removed on any Python
error), never a half-written file under the final name; the rename is
atomic on POSIX file systems, and the data are flushed to disk before it.
"""

from __future__ import annotations

import glob
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import h5py

__all__ = ["atomic_h5", "atomic_write", "files_by_attribute", "write_table"]


@contextmanager
def atomic_write(path: str | os.PathLike, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` when the block succeeds.

    Parameters
    ----------
    path : path
        The final file; its folder is created.
    suffix : str
        Suffix of the temporary name.

    Yields
    ------
    Path
        Write the file here.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*{glob.escape(suffix)}"):
        stale.unlink(missing_ok=True)  # left by a writer that was killed (kill -9 skips the cleanup below)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(handle)
    temporary = Path(temporary)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes the file private; outputs get the usual permissions
    try:
        yield temporary
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_h5(path: str | os.PathLike) -> Iterator[h5py.File]:
    """Open a new HDF5 file that appears under ``path`` only once it is completely written.

    Yields
    ------
    h5py.File
        Open for writing; closed, flushed and renamed when the block ends without error.
    """
    with atomic_write(path, ".h5.tmp") as temporary:
        with h5py.File(temporary, "w") as handle:
            yield handle


def write_table(table, path: str | os.PathLike, **to_csv) -> None:
    """Write a pandas DataFrame as TSV atomically (``to_csv`` keywords are passed on)."""
    with atomic_write(path, ".tsv.tmp") as temporary:
        table.to_csv(temporary, sep="\t", index=False, **to_csv)


def files_by_attribute(paths, key: str = "subject") -> dict:
    """Key HDF5 files by a root attribute they store (e.g. their subject), never by their position in a list.

    Parameters
    ----------
    paths : sequence of paths
    key : str

    Returns
    -------
    dict of attribute value to Path

    Raises
    ------
    InputError
        A file lacks the attribute, or two files carry the same value.
    """
    from crossmodal.errors import InputError

    out: dict = {}
    for path in map(Path, paths):
        with h5py.File(path, "r") as handle:
            if key not in handle.attrs:
                raise InputError(path, f"records no {key} (written by an older version)", "delete it and rerun the workflow")
            value = handle.attrs[key]
        value = value.decode() if isinstance(value, bytes) else str(value)
        if value in out:
            raise InputError(path, f"and {out[value]} both are for {key} {value!r}", "pass one file per value")
        out[value] = path
    return out
