"""Peak memory and time of fit_ridge_cv at full subject size (run by hand, not in CI).

Full size (issue 4): 27,000 TRs x 95,000 voxels, 3,072 features, float32,
5 grouped folds, 20 alphas. The responses (10 GiB at full size) are written
to an HDF5 file (or a .npy memmap) in a temporary folder and read by the fit
one voxel batch at a time, as the workflow does; the design is in memory.

Peak memory is the process's maximum resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``), measured before the fit
(data generation streams to disk in blocks) and after it; the target is
16 GiB at full size. Time is wall-clock for the fit alone.

Usage::

    python benchmarks/ridge_scale.py                      # full size (about 6 min on 2 cores, extrapolated; README)
    python benchmarks/ridge_scale.py --voxels 10000 --samples 9000
    python benchmarks/ridge_scale.py --storage memmap --voxel-batch 5000

It prints the sizes, the peak RSS and the time, plus the per-voxel-batch
time so the full-size time can be extrapolated from a reduced run.
"""

from __future__ import annotations

import argparse
import logging
import resource
import tempfile
import time
from pathlib import Path

import numpy as np


def peak_rss_gib() -> float:
    """Maximum resident set size of this process so far, in GiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def write_responses(path: Path, design: np.ndarray, n_voxels: int, storage: str, seed: int, block: int = 5000):
    """Write synthetic responses (design @ weights + noise) to disk, ``block`` voxels at a time.

    Returns the on-disk array (h5py Dataset or np.memmap) and the open file handle (or None).
    """
    rng = np.random.default_rng(seed)
    n_samples, n_features = design.shape
    if storage == "hdf5":
        import h5py

        file = h5py.File(path.with_suffix(".h5"), "w")
        responses = file.create_dataset("responses", shape=(n_samples, n_voxels), dtype=np.float32,
                                        chunks=(n_samples, min(256, n_voxels)))
    else:
        file = None
        responses = np.lib.format.open_memmap(path.with_suffix(".npy"), mode="w+", dtype=np.float32,
                                              shape=(n_samples, n_voxels))
    for start in range(0, n_voxels, block):
        stop = min(start + block, n_voxels)
        weights = rng.standard_normal((n_features, stop - start), dtype=np.float32) / np.float32(
            np.sqrt(n_features))
        values = design @ weights
        values += rng.standard_normal(values.shape, dtype=np.float32)
        responses[:, start:stop] = values
    if file is not None:
        file.flush()
        file.close()
        file = h5py.File(path.with_suffix(".h5"), "r")
        responses = file["responses"]
    else:
        responses.flush()
        responses = np.load(path.with_suffix(".npy"), mmap_mode="r")
    return responses, file


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=27000)
    parser.add_argument("--voxels", type=int, default=95000)
    parser.add_argument("--features", type=int, default=3072)
    parser.add_argument("--runs", type=int, default=27)
    parser.add_argument("--voxel-batch", type=int, default=10000)
    parser.add_argument("--storage", choices=["hdf5", "memmap"], default="hdf5")
    parser.add_argument("--backend", choices=["numpy", "torch"], default="numpy")
    parser.add_argument("--tmpdir", default=None, help="folder for the responses file (default: system temp)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    from crossmodal.encoding import fit_ridge_cv

    rng = np.random.default_rng(0)
    spectrum = np.sqrt(np.logspace(0, -4, args.features)).astype(np.float32)
    design = rng.standard_normal((args.samples, args.features), dtype=np.float32) * spectrum
    design = (design - design.mean(0)) / design.std(0)
    run_ids = np.minimum(np.arange(args.samples) * args.runs // args.samples, args.runs - 1)
    alphas = np.logspace(0, 4, 20)
    gib = 2**30
    print(f"size: {args.samples} TRs x {args.voxels} voxels, {args.features} features, {args.runs} runs; "
          f"responses {args.samples * args.voxels * 4 / gib:.2f} GiB on disk ({args.storage}), design "
          f"{design.nbytes / gib:.2f} GiB, outputs (weights + cv scores) "
          f"{(args.features + alphas.size) * args.voxels * 4 / gib:.2f} GiB; voxel_batch {args.voxel_batch}")
    with tempfile.TemporaryDirectory(dir=args.tmpdir) as folder:
        start = time.perf_counter()
        responses, file = write_responses(Path(folder) / "responses", design, args.voxels, args.storage, seed=1)
        print(f"wrote responses in {time.perf_counter() - start:.1f} s; peak RSS before the fit "
              f"{peak_rss_gib():.2f} GiB")
        start = time.perf_counter()
        fit = fit_ridge_cv(design, responses, run_ids, alphas, n_folds=5, voxel_batch=args.voxel_batch,
                           backend=args.backend, device="cpu" if args.backend == "torch" else None,
                           progress=True)
        seconds = time.perf_counter() - start
        if file is not None:
            file.close()
    n_batches = -(-args.voxels // args.voxel_batch)
    print(f"fit: {seconds:.1f} s for {n_batches} voxel batches; peak RSS {peak_rss_gib():.2f} GiB; "
          f"{np.unique(fit.alphas_per_voxel).size} distinct alphas")
    print(f"ridge_scale: samples={args.samples} voxels={args.voxels} features={args.features} "
          f"seconds={seconds:.1f} peak_rss_gib={peak_rss_gib():.2f}")


if __name__ == "__main__":
    main()
