"""Benchmark of the everyday loop: the default run and the test suite, from an existing environment (not a test).

Copies the workflow into a temporary folder (no results, no .snakemake),
runs ``snakemake --cores N`` there (the embedded default, what ``make run``
does after the environment exists) and then, unless ``--no-tests``, the test
suite (``python -m pytest -n 2 --dist loadfile``, what ``make test`` runs). Targets on 2 cores:
default run <= 180 s, test suite <= 480 s. The last line is machine-readable:

    workflow: default_run_s=... jobs=... test_suite_s=...

Run: ``python benchmarks/workflow.py [--cores 2] [--no-tests]``
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


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
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "snakemake", "--cores", str(args.cores)], cwd=workdir, capture_output=True, text=True)
        default_run = time.perf_counter() - start
        if run.returncode != 0:
            sys.exit(f"the default run failed:\n{run.stderr[-3000:]}")
        jobs = re.findall(r"(\d+) of (\d+) steps \(100%\) done", run.stdout + run.stderr)
        n_jobs = int(jobs[-1][1]) if jobs else -1
    print(f"default run (snakemake --cores {args.cores}, fresh results): {default_run:.1f} s, {n_jobs} jobs")
    suite = float("nan")
    if not args.no_tests:
        start = time.perf_counter()
        tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile"], cwd=REPO, capture_output=True, text=True)
        suite = time.perf_counter() - start
        print(tests.stdout.strip().splitlines()[-1] if tests.stdout.strip() else tests.stderr[-500:])
        print(f"test suite (python -m pytest -n 2 --dist loadfile): {suite:.1f} s")
    print(f"workflow: default_run_s={default_run:.1f} jobs={n_jobs} test_suite_s={suite:.1f}")


if __name__ == "__main__":
    main()
