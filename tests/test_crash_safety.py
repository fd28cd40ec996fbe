"""Crash safety and determinism: kill -9 mid-job, rerun, and get exactly the outputs of an uninterrupted run."""

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from crossmodal.h5io import atomic_h5, write_table
from workflow_utils import copy_reduced_workflow, snakemake


def test_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    """A full disk in the middle of a write: no file under the final name, no temporary left behind."""
    target = tmp_path / "out" / "scores.h5"

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        with atomic_h5(target) as handle:
            handle.create_dataset("a", data=np.arange(10))
            monkeypatch.setattr(h5py.Group, "create_dataset", full_disk)
            handle.create_dataset("b", data=np.arange(10))
    assert list(target.parent.iterdir()) == []
    monkeypatch.undo()
    import pandas as pd

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    with pytest.raises(OSError):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "out" / "table.tsv")
    assert list(target.parent.iterdir()) == []


def _outputs(results: Path) -> dict:
    """Every array, attribute and table under results/ (not logs, figures or the report), by relative path."""
    out = {}
    for path in sorted(results.rglob("*")):
        relative = str(path.relative_to(results))
        if relative.startswith("logs") or path.suffix in (".png", ".pdf", ".html") or not path.is_file():
            continue
        if path.suffix in (".h5", ".hdf", ".hf5"):
            with h5py.File(path, "r") as handle:
                handle.visititems(lambda name, obj: out.__setitem__(f"{relative}:{name}", obj[()]) if isinstance(obj, h5py.Dataset) else None)
                handle.visititems(lambda name, obj: out.update({f"{relative}:{name}@{k}": v for k, v in obj.attrs.items()}))
                out.update({f"{relative}:@{k}": v for k, v in handle.attrs.items()})
        else:
            out[relative] = path.read_bytes()
    return out


def _same(a, b) -> bool:
    """Equal arrays, attributes or bytes (NaN equal to NaN)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    return a.shape == b.shape and bool(np.array_equal(a, b))


def _kill_during(workdir: Path, trigger: str, cores: str) -> None:
    """Start the workflow, wait until a file matching results/<trigger> (a glob) exists, then kill -9 everything."""
    command = [sys.executable, "-m", "snakemake", "--cores", cores]
    output = workdir / f"killed-run-{trigger.replace('/', '_').replace('*', '')}.txt"
    with output.open("w") as sink:
        process = subprocess.Popen(command, cwd=workdir, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 600
    while not any((workdir / "results").glob(trigger)) and process.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert process.poll() is None, f"the workflow ended before {trigger} could be interrupted:\n{output.read_text()[-3000:]}"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.mark.workflow
def test_kill_and_rerun_gives_identical_outputs_whatever_the_cores(reduced_run, tmp_path):
    """Interrupted with kill -9 during simulate, feature extraction, a fit of one voxel chunk and scoring (with
    --cores 1), then `snakemake --unlock` and the same command again: every array, attribute and table equals an
    uninterrupted run with --cores 2 (`reduced_run`), and no staging folder or temporary file is left."""
    clean = reduced_run
    crashed = copy_reduced_workflow(tmp_path / "crashed")
    # Feature extraction is killed after its first story is written: a job with several outputs, some of them
    # complete; the rerun must redo it (rerun-incomplete in the default profile) and not stop at incomplete files.
    for trigger in ("logs/simulate.log", "features/tiny-bridgetower/story/*.h5", "logs/bridgetower/UTS01/encoding/story_layer-cross.1_chunk-*.log",
                    "logs/bridgetower/UTS01/transfer/layer-cross.1.log"):
        _kill_during(crashed, trigger, "1")
        assert snakemake(crashed, "--unlock").returncode == 0
    result = snakemake(crashed, "--cores", "1")
    assert result.returncode == 0, result.stderr[-3000:]

    leftovers = [p for p in (crashed / "results").rglob("*") if p.name.startswith(".simulate-") or p.name.endswith(".tmp")]
    assert leftovers == []
    expected, got = _outputs(clean / "results"), _outputs(crashed / "results")
    assert expected.keys() == got.keys()
    different = [key for key in expected if not _same(expected[key], got[key])]
    assert different == [], different[:10]


def test_outputs_get_the_usual_permissions(tmp_path):
    """Atomic writes go through a private temporary file; the output itself follows the umask like any file."""
    umask = os.umask(0o022)
    try:
        with atomic_h5(tmp_path / "a.h5") as handle:
            handle.create_dataset("x", data=[1])
        assert (tmp_path / "a.h5").stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(umask)


def test_a_killed_writers_temporary_is_removed_by_the_next_write(tmp_path):
    """kill -9 skips the cleanup of an atomic write; the next write of the same file removes what it left."""
    stale = tmp_path / ".a.h5.abc123.h5.tmp"
    stale.write_bytes(b"half written")
    other = tmp_path / ".b.h5.abc123.h5.tmp"  # another file's temporary is not touched
    other.write_bytes(b"")
    with atomic_h5(tmp_path / "a.h5") as handle:
        handle.create_dataset("x", data=[1])
    assert not stale.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".b.h5.abc123.h5.tmp", "a.h5"]
