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

With ``--per-script`` it also prints, for the default run and the test suite,
the CPU time of every workflow script summed over its jobs (each Python process records its
own CPU time at exit through a ``sitecustomize`` module put first on
``PYTHONPATH``), so that what the run spends its time on is measured, not
guessed.

Run: ``python benchmarks/workflow.py [--cores 2] [--no-tests] [--per-script]``
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from workflow_utils import copy_workflow  # noqa: E402  (what a run needs, as the workflow tests copy it)


def timed(command: list[str], cwd: Path, env: dict | None = None) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run ``command`` in ``cwd`` (environment ``env``, default this one's); return it with its wall time and the CPU
    time (user + system, s) of it and every process it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return completed, wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


#: Written as sitecustomize.py with --per-script: every Python process appends "cpu_s<TAB>argv" at exit.
RECORDER = """import atexit, os, sys
def _record():
    times = os.times()
    with open({log!r}, "a") as log:
        log.write(f"{{times.user + times.system:.3f}}\\t{{' '.join(sys.argv)}}\\n")
atexit.register(_record)
"""


def recording_environment(folder: Path, log: Path) -> dict:
    """This environment with a ``sitecustomize`` in ``folder`` first on ``PYTHONPATH`` that appends every Python
    process's CPU time to ``log`` at exit."""
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(RECORDER.format(log=str(log)))
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}


def print_cpu_by_script(title: str, log: Path) -> None:
    """Print :func:`cpu_by_script` of ``log`` and its total."""
    totals = cpu_by_script(log)
    print(f"{title}, CPU time per workflow script (jobs, total s; all recorded processes {sum(cpu for _, cpu in totals.values()):.0f} s):")
    for name, (n, cpu) in totals.items():
        print(f"  {name:32s} {n:3d} {cpu:7.1f}")


def cpu_by_script(log: Path) -> dict[str, tuple[int, float]]:
    """Jobs and CPU seconds per workflow script (``.snakemake/scripts/tmpXXXX.<name>.py``), Snakemake itself as
    ``snakemake``, from the recorder's log; largest first."""
    totals: dict[str, list] = {}
    for line in log.read_text().splitlines():
        cpu, argv = line.split("\t", 1)
        script = re.search(r"\.snakemake/scripts/tmp\w+\.(\w+)\.py", argv)
        name = script.group(1) if script else ("snakemake" if "snakemake" in argv else argv.split(" ")[0])
        entry = totals.setdefault(name, [0, 0.0])
        entry[0] += 1
        entry[1] += float(cpu)
    return dict(sorted(((name, (n, cpu)) for name, (n, cpu) in totals.items()), key=lambda item: -item[1][1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--no-tests", action="store_true", help="time the default run only")
    parser.add_argument("--per-script", action="store_true", help="also print the default run's CPU time per workflow script")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        workdir = copy_workflow(Path(folder) / "run")
        records = Path(folder) / "records"
        records.mkdir()
        environment = recording_environment(Path(folder) / "recorder", records / "run.log") if args.per_script else None
        run, default_run, run_cpu = timed([sys.executable, "-m", "snakemake", "--cores", str(args.cores)], workdir, environment)
        if run.returncode != 0:
            sys.exit(f"the default run failed:\n{run.stderr[-3000:]}")
        jobs = re.findall(r"(\d+) of (\d+) steps \(100%\) done", run.stdout + run.stderr)
        n_jobs = int(jobs[-1][1]) if jobs else -1
        if args.per_script:
            print_cpu_by_script("default run", records / "run.log")
    cores = os.cpu_count()
    print(f"default run (snakemake --cores {args.cores}, fresh results): {default_run:.1f} s, {n_jobs} jobs, "
          f"CPU {run_cpu:.0f} s (at least {run_cpu / cores:.0f} s on {cores} cores)")
    suite = suite_cpu = float("nan")
    if not args.no_tests:
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile"]
        with tempfile.TemporaryDirectory() as folder:
            log = Path(folder) / "suite.log"
            environment = recording_environment(Path(folder) / "recorder", log) if args.per_script else None
            tests, suite, suite_cpu = timed(command, REPO, environment)
            if args.per_script and log.exists():
                print_cpu_by_script("test suite", log)
        print(tests.stdout.strip().splitlines()[-1] if tests.stdout.strip() else tests.stderr[-500:])
        print(f"test suite (python -m pytest -n 2 --dist loadfile): {suite:.1f} s, CPU {suite_cpu:.0f} s "
              f"(at least {suite_cpu / cores:.0f} s on {cores} cores)")
    print(f"workflow: default_run_s={default_run:.1f} jobs={n_jobs} test_suite_s={suite:.1f} test_suite_cpu_s={suite_cpu:.0f}")


if __name__ == "__main__":
    main()
