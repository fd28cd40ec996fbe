"""Peak memory and time of cross-modal scoring at full subject size, both nulls (run by hand, not in CI).

Full size: movie->story of a ds003020 subject, 27,000 story TRs (the target's
training runs, read for the reverse-tuning sign) x 95,000 voxels, 3,072
features (BridgeTower-Base, 768 x 4 delays), 300 test TRs, 3,600 movie TRs
of the source, the config's block permutations and untuned-source draws
(``--draws`` sets both), raw and corrected scores, the within-modal test. The responses (10 GiB) are
written to an HDF5 file in a temporary folder and streamed one voxel batch
at a time, as the workflow does.

Peak memory is the process's maximum resident set size, measured after the
data are written and after scoring; the target is 16 GiB at full size.

Usage::

    python benchmarks/score_scale.py                        # full size (274 s on 2 cores, README "Benchmarks")
    python benchmarks/score_scale.py --voxels 20000         # a fifth, to extrapolate the time
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from crossmodal.transfer.scoring import StatsSettings, score_direction
from crossmodal.transfer.shared import untuned_source
from scoring_problem import scoring_problem


def peak_rss_gib() -> float:
    """Maximum resident set size of this process so far, in GiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voxels", type=int, default=95000)
    parser.add_argument("--train-trs", type=int, default=27000)
    parser.add_argument("--test-trs", type=int, default=300)
    parser.add_argument("--source-trs", type=int, default=3600)
    parser.add_argument("--features", type=int, default=3072)
    parser.add_argument("--draws", type=int, default=None, help="block permutations and untuned-source draws (default: the config's)")
    parser.add_argument("--voxel-batch", type=int, default=10000)
    parser.add_argument("--tmpdir", default=None, help="folder for the responses file (default: system temp)")
    args = parser.parse_args(argv)
    gib = 2**30
    stats = StatsSettings.from_config() if args.draws is None else StatsSettings.from_config(n_permutations=args.draws, n_null_draws=args.draws)
    print(f"size: {args.train_trs} target training TRs x {args.voxels} voxels ({args.train_trs * args.voxels * 4 / gib:.2f} GiB on disk), "
          f"{args.features} features, {args.test_trs} test TRs, {args.source_trs} source TRs, "
          f"{stats.n_permutations} permutations + {stats.n_null_draws} draws, "
          f"voxel_batch {args.voxel_batch}")
    with tempfile.TemporaryDirectory(dir=args.tmpdir) as folder:
        start = time.perf_counter()
        problem = scoring_problem(Path(folder), args.voxels, args.features, args.source_trs, args.train_trs, args.test_trs, n_runs=27)
        print(f"wrote the problem in {time.perf_counter() - start:.1f} s; peak RSS before scoring {peak_rss_gib():.2f} GiB")
        start = time.perf_counter()
        untuned = untuned_source(problem["source_design"], problem["source_fit"].design_mean, np.zeros(2), stats.n_null_draws, (0, 1))
        scores = score_direction(problem["source_fit"], problem["within_fit"], {"linear": (problem["train_design"], problem["test_design"])},
                                 problem["test_design"], problem["target"], untuned, stats, voxel_batch=args.voxel_batch)["linear"]
        seconds = time.perf_counter() - start
    n_batches = -(-args.voxels // args.voxel_batch)
    print(f"scoring: {seconds:.1f} s for {n_batches} voxel batches ({seconds / n_batches:.1f} s per batch); peak RSS {peak_rss_gib():.2f} GiB; "
          f"{100 * scores['raw_significant'].mean():.1f}% significant")
    print(f"score_scale: train_trs={args.train_trs} voxels={args.voxels} features={args.features} draws={stats.n_null_draws} "
          f"seconds={seconds:.1f} peak_rss_gib={peak_rss_gib():.2f}")


if __name__ == "__main__":
    main()
