"""The reduced workflow through a real one-node SLURM cluster, compared with a local run.

The test starts munged, slurmctld and slurmd on this machine (tests/slurm/cluster.py,
needs root and Debian's slurmctld, slurmd, slurm-client and munge: `bash
.ci/install-slurm.sh`), runs `snakemake --profile workflow/profiles/slurm` in a
temporary copy of the repository on the reduced config of `workflow_utils.REDUCED_CONFIG`
(every rule of `rule all` on a smaller synthetic dataset, with the fits split into voxel
chunks), and checks that SLURM ran every job with the profile's resources and that every
file under results/ is identical to the local run of the same config with `--cores 2`
(fixture `reduced_run`, shared with the crash test). Without root or SLURM it skips,
except in CI (CI=true), where it fails instead, so it cannot silently stop running there.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

from slurm.cluster import Cluster, ClusterError, missing_prerequisites
from workflow_utils import REPO, copy_reduced_workflow

pytestmark = pytest.mark.slurm

PROFILE = "workflow/profiles/slurm"

#: Options of the SLURM run: --cores caps every job's threads, as in the local reference run
#: (results do not depend on it; the crash test checks that).
COMMON_ARGS = ("--cores", "2")

#: Options for the SLURM run only, on top of the profile: at most 2 jobs at once on this
#: 2-core node, no resubmission (a failure shows at once), quick first status check,
#: and no account (this cluster has no accounting).
SLURM_ARGS = ("--jobs", "2", "--retries", "0", "--slurm-init-seconds-before-status-checks", "3", "--slurm-no-account")

#: Files under results/ that differ between any two runs and are not compared.
IGNORED = re.compile(r"(^|/)(logs|benchmarks)/|\.log$")

HDF5_SUFFIXES = {".h5", ".hdf5", ".hdf", ".hf5"}
#: Formats whose bytes hold a timestamp or random ids (matplotlib): only checked to exist.
UNSTABLE_SUFFIXES = {".pdf", ".svg"}

TIMEOUT_S = 1800

#: CPUs the test node declares (SLURM believes its config, not the hardware): enough for
#: two 2-thread jobs at once, as --jobs 2 allows, so SLURM's scheduling and status-polling
#: latencies of one job overlap with the work of another.
NODE_CPUS = 4


def _unavailable(reason: str):
    """Skip, or in CI fail: there .ci/install-slurm.sh must have made SLURM available."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"SLURM integration test cannot run in CI: {reason}")
    pytest.skip(f"SLURM integration test: {reason}")


def _profile_needs() -> tuple[int, int]:
    """The most CPUs and memory (MB) any job may ask for under the profile."""
    profile = yaml.safe_load((REPO / PROFILE / "config.yaml").read_text())
    requests = [profile.get("default-resources", {}), *profile.get("set-resources", {}).values()]
    cpus = [r["cpus_per_task"] for r in requests if isinstance(r.get("cpus_per_task"), int)]
    memory = [r["mem_mb"] for r in requests if isinstance(r.get("mem_mb"), int)]
    return max([NODE_CPUS, *cpus]), max([4000, *memory])


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    reason = missing_prerequisites()
    if reason:
        _unavailable(reason)
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401
    except ImportError:
        _unavailable("snakemake-executor-plugin-slurm is not installed")
    cpus, memory_mb = _profile_needs()
    root = tmp_path_factory.mktemp("slurm")
    cluster = Cluster(root, cpus=cpus, memory_mb=memory_mb)
    try:
        cluster.start()
    except ClusterError as error:
        _unavailable(f"could not start SLURM: {error}")
    try:
        yield cluster
    finally:
        cluster.stop()


def _start(workdir: Path, args: tuple[str, ...], env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "snakemake", *args]
    with open(workdir / "snakemake-test.log", "w") as log:
        return subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _finish(process: subprocess.Popen, deadline: float) -> int | None:
    try:
        return process.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return None


def _stop(process: subprocess.Popen) -> None:
    """End a Snakemake run and everything it started (its own process group)."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            pass


def _tail(path: Path, lines: int = 60) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(none)"


@pytest.fixture(scope="module")
def slurm_run(cluster, tmp_path_factory):
    """Run the reduced workflow through SLURM; return its work dir. It does not wait for the local reference run
    (fixture ``reduced_run``, which another test worker may be computing): the two run side by side."""
    remote = copy_reduced_workflow(tmp_path_factory.mktemp("slurm-run"))
    started = time.monotonic()
    process = _start(remote, ("--profile", PROFILE, *COMMON_ARGS, *SLURM_ARGS), cluster.env)
    try:
        slurm_rc = _finish(process, started + TIMEOUT_S)
    finally:  # interrupted or timed out: leave no Snakemake behind
        _stop(process)
    print(f"SLURM run took {time.monotonic() - started:.0f} s")
    if slurm_rc != 0:
        job_logs = sorted((remote / ".snakemake" / "slurm_logs").rglob("*.log"))
        details = "\n".join(f"--- {log}:\n{_tail(log, 30)}" for log in job_logs[-3:])
        pytest.fail(
            f"SLURM run failed (exit status {slurm_rc}; None: timed out):\n{_tail(remote / 'snakemake-test.log')}\n"
            f"{details}\n--- slurmctld.log:\n{_tail(cluster.root / 'log' / 'slurmctld.log', 20)}"
        )
    return remote


def test_slurm_ran_every_job_with_the_profile_resources(cluster, slurm_run):
    remote = slurm_run
    log = (remote / "snakemake-test.log").read_text()
    run_id = re.search(r"SLURM run ID: (\S+)", log).group(1)
    finished = re.findall(r"Finished jobid: \d+ \(Rule: (\w+)\)", log)
    local_rules = set(re.findall(r"^localrule (\w+):", log, flags=re.MULTILINE))
    expected = sorted(rule for rule in finished if rule not in local_rules)
    assert expected, "no job ran through SLURM"
    print(cluster.run("sinfo"))
    jobs = cluster.run("squeue", "--states=all", "--noheader", "--name", run_id, "--format=%i|%k|%T|%m|%l")
    print(cluster.run("squeue", "--states=all", "--format=%.6i %.22k %.10T %.8m %.10l %.4C"))
    rows = [line.split("|") for line in jobs.splitlines() if line.strip()]
    assert sorted(row[1].removeprefix("rule_").split("_wildcards_")[0] for row in rows) == expected
    assert {row[2] for row in rows} == {"COMPLETED"}

    profile = yaml.safe_load((REPO / PROFILE / "config.yaml").read_text())
    for _, comment, _, memory, time_limit in rows:
        rule = comment.removeprefix("rule_").split("_wildcards_")[0]
        wanted = {**profile["default-resources"], **profile.get("set-resources", {}).get(rule, {})}
        assert memory == f"{wanted['mem_mb']}M", (rule, memory)
        hours, minutes = divmod(int(wanted["runtime"]), 60)
        assert time_limit in (f"{hours}:{minutes:02d}:00", f"{minutes}:00"), (rule, time_limit)


def _result_files(workdir: Path) -> set[str]:
    root = workdir / "results"
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and not IGNORED.search(p.relative_to(root).as_posix())}


def _hdf5_items(path: Path) -> dict:
    items = {}

    def visit(name, obj):
        items[name] = obj

    with h5py.File(path, "r") as handle:
        items["/"] = handle
        handle.visititems(visit)
        return {
            name: (
                dict(obj.attrs.items()),
                obj[()] if isinstance(obj, h5py.Dataset) else None,
                type(obj).__name__,
            )
            for name, obj in items.items()
        }


def _equal(a, b) -> bool:
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, (np.ndarray, np.generic)) or isinstance(b, (np.ndarray, np.generic)):
        a, b = np.asarray(a), np.asarray(b)
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    return a == b


def _differences(local: Path, remote: Path, name: str) -> str | None:
    a, b = local / "results" / name, remote / "results" / name
    suffix = a.suffix.lower()
    if suffix in UNSTABLE_SUFFIXES:
        return None if a.stat().st_size and b.stat().st_size else "empty"
    if suffix in HDF5_SUFFIXES:
        items_a, items_b = _hdf5_items(a), _hdf5_items(b)
        if items_a.keys() != items_b.keys():
            return f"objects differ: {sorted(items_a.keys() ^ items_b.keys())[:5]}"
        bad = [key for key in items_a if not _equal(items_a[key], items_b[key])]
        return f"contents differ: {bad[:5]}" if bad else None
    if suffix == ".png":
        from PIL import Image

        return None if np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b))) else "pixels differ"
    return None if a.read_bytes() == b.read_bytes() else "bytes differ"


def test_results_identical_to_local_run(slurm_run, reduced_run):
    local, remote = reduced_run, slurm_run
    files = _result_files(local)
    assert files, "the local run wrote nothing under results/"
    assert _result_files(remote) == files
    differences = {name: diff for name in sorted(files) if (diff := _differences(local, remote, name))}
    assert not differences, differences
    print(f"{len(files)} result files identical")
