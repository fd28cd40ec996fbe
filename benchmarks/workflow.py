"""Benchmark of the everyday loop: the default run and the test suite, from an existing environment (not a test).

Copies the workflow into a temporary folder (no results, no .snakemake),
runs ``snakemake --cores N`` there (the embedded default, what ``make run``
does after the environment exists) and then, unless ``--no-tests``, the test
suite (``python -m pytest -n 2 --dist loadfile``, what ``make test`` runs). Targets on 2 cores:
default run <= 180 s, test suite <= 480 s. Beside wall time it prints the CPU
time (user + system) of each command and its processes: divided by the cores,
the least wall time any scheduling could reach (jobs that a SLURM test hands
to slurmd are not counted). The last line is machine-readable:

    workflow: default_run_s=... jobs=... test_suite_s=... test_suite_cpu_s=...

Run: ``python benchmarks/workflow.py [--cores 2] [--no-tests]``
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(command: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run ``command`` in ``cwd``; return it with its wall time and the CPU time (user + system, s) of it and
    every process it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return completed, wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--no-tests", action="store_true", help="time the default run only")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        for name in ("Snakefile", "workflow", "config", "envs", "src", "resources"):
            source = REPO / name
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, workdir / name)
        run, default_run, run_cpu = timed([sys.executable, "-m", "snakemake", "--cores", str(args.cores)], workdir)
        if run.returncode != 0:
            sys.exit(f"the default run failed:\n{run.stderr[-3000:]}")
        jobs = re.findall(r"(\d+) of (\d+) steps \(100%\) done", run.stdout + run.stderr)
        n_jobs = int(jobs[-1][1]) if jobs else -1
    cores = os.cpu_count()
    print(f"default run (snakemake --cores {args.cores}, fresh results): {default_run:.1f} s, {n_jobs} jobs, "
          f"CPU {run_cpu:.0f} s (at least {run_cpu / cores:.0f} s on {cores} cores)")
    suite = suite_cpu = float("nan")
    if not args.no_tests:
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile"]
        tests, suite, suite_cpu = timed(command, REPO)
        print(tests.stdout.strip().splitlines()[-1] if tests.stdout.strip() else tests.stderr[-500:])
        print(f"test suite (python -m pytest -n 2 --dist loadfile): {suite:.1f} s, CPU {suite_cpu:.0f} s "
              f"(at least {suite_cpu / cores:.0f} s on {cores} cores)")
    print(f"workflow: default_run_s={default_run:.1f} jobs={n_jobs} test_suite_s={suite:.1f} test_suite_cpu_s={suite_cpu:.0f}")


if __name__ == "__main__":
    main()
