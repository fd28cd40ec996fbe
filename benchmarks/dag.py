"""Benchmark of building the DAG on real data: ``snakemake -n`` on a real-sized layout (not a test).

Writes a ds003020 layout with 8 subjects x 27 stories and a generic movie
layout with 8 subjects x 13 runs, every response file at its real size but
sparse (no data on disk, not even valid HDF5: building the DAG must not open
them), TextGrids, ``respdict.json`` and a Karpathy JSON of 31,014 images,
then times ``snakemake -n`` with a config pointing there. Target: < 5 s.
The last line is machine-readable:

    dag: seconds=... jobs=...

Run: ``python benchmarks/dag.py``
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SUBJECTS = [f"UTS0{i}" for i in range(1, 9)]
N_STORIES, STORY_TRS, N_VOXELS = 27, 345, 95_000
N_MOVIE_RUNS, MOVIE_TRS = 13, 300


def sparse(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)


def write_layout(root: Path) -> None:
    derivative = root / "ds003020" / "derivative"
    stories = [f"story{i:02d}" for i in range(N_STORIES - 1)] + ["wheretheressmoke"]
    for subject in SUBJECTS:
        for story in stories:
            sparse(derivative / "preprocessed_data" / subject / f"{story}.hf5", (STORY_TRS - 20) * N_VOXELS * 4)
    (derivative / "TextGrids").mkdir(parents=True)
    for story in stories:
        (derivative / "TextGrids" / f"{story}.TextGrid").write_text("File type = \"ooTextFile\"\n")
    (derivative / "respdict.json").write_text(json.dumps({story: STORY_TRS for story in stories}))
    movies = root / "movies" / "movie"
    runs = [f"run{i:02d}" for i in range(N_MOVIE_RUNS)]
    for subject in SUBJECTS:
        for run in runs:
            sparse(movies / subject / f"{run}.h5", MOVIE_TRS * N_VOXELS * 4)
    for run in runs:
        sparse(movies / "stimuli" / f"{run}.h5", MOVIE_TRS * 2 * 15 * 512 * 512 * 3)
    (movies / "runs.json").write_text(json.dumps({"train": runs[:-1], "test": runs[-1:]}))
    pairs = root / "flickr30k"
    pairs.mkdir()
    images = [{"filename": f"{i}.jpg", "imgid": i, "split": "train", "sentids": [], "sentences": []} for i in range(31_014)]
    (pairs / "dataset_flickr30k.json").write_text(json.dumps({"images": images}))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_layout(root / "data")
        workdir = root / "repo"
        workdir.mkdir()
        for name in ("Snakefile", "workflow", "config", "envs", "src", "resources"):
            source = REPO / name
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, workdir / name)
        (workdir / "real.yaml").write_text(
            f"subjects: {SUBJECTS}\nsimulate: {{enabled: false}}\n"
            f"data: {{space: ds003020, ground_truth: null, stories: {{root: {root / 'data/ds003020'}}}, "
            f"movies: {{layout: generic, root: {root / 'data/movies'}}}, pairs: {{root: {root / 'data/flickr30k'}}}}}\n"
            "figures: {pycortex: false}\n"
        )
        command = [sys.executable, "-m", "snakemake", "-n", "--configfile", "real.yaml"]
        subprocess.run(command, cwd=workdir, capture_output=True, text=True)  # warm the file system and Python caches
        start = time.perf_counter()
        result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"snakemake -n failed:\n{result.stderr[-3000:]}")
    total = re.search(r"^total\s+(\d+)", result.stdout, re.M)
    jobs = int(total.group(1)) if total else -1
    print(f"layout: {len(SUBJECTS)} subjects x {N_STORIES} stories ({N_VOXELS} voxels, sparse files of real size), "
          f"{N_MOVIE_RUNS} movie runs, 31,014 pair images")
    print(f"snakemake -n: {seconds:.2f} s, {jobs} jobs")
    print(f"dag: seconds={seconds:.2f} jobs={jobs}")


if __name__ == "__main__":
    main()
