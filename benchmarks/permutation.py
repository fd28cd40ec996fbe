"""Benchmark of cross-modal significance: both nulls at the default run's size (not a timed test).

One direction and alignment of ``score_direction`` on 20,484 voxels (the
fsaverage5 vertices of the default run): 300 test TRs, 600 target training
TRs, 1,200 source TRs, 256 features (the tiny models with 4 delays), the
config's block permutations of the response (the paper's test) and draws of
the untuned-source null (``stats.n_permutations``, ``stats.n_null_draws``;
``--draws`` sets both), raw and corrected scores, GPD tails, BH-FDR, and the
within-modal block permutation. Responses are streamed from an HDF5 file as
in the workflow. Also times the block permutation alone (1,000 permutations,
the paper's number) against one correlation pass. The last line is
machine-readable:

    permutation: seconds=... block_only_seconds=... per_perm_vs_corr=...

Target: seconds < 30 on 2 CPU cores.

Run: ``python benchmarks/permutation.py [--voxels N] [--features P] [--draws K]``
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from crossmodal.transfer.scoring import StatsSettings, score_direction
from crossmodal.transfer.shared import untuned_source
from crossmodal.transfer.stats import block_permutation_pvalues, correlate_columns
from scoring_problem import scoring_problem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voxels", type=int, default=20_484)
    parser.add_argument("--features", type=int, default=256)
    parser.add_argument("--trs", type=int, default=300, help="test TRs")
    parser.add_argument("--train-trs", type=int, default=600)
    parser.add_argument("--source-trs", type=int, default=1200)
    parser.add_argument("--draws", type=int, default=None, help="block permutations and untuned-source draws (default: the config's)")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, numpy {np.__version__}")
    stats = StatsSettings.from_config() if args.draws is None else StatsSettings.from_config(n_permutations=args.draws, n_null_draws=args.draws)
    print(f"data: {args.voxels} voxels, {args.trs} test / {args.train_trs} target training / {args.source_trs} source TRs, "
          f"{args.features} features, {stats.n_permutations} block permutations + {stats.n_null_draws} untuned-source draws")
    with tempfile.TemporaryDirectory() as folder:
        problem = scoring_problem(Path(folder), args.voxels, args.features, args.source_trs, args.train_trs, args.trs)
        start = time.perf_counter()
        untuned = untuned_source(problem["source_design"], problem["source_fit"].design_mean, np.zeros(2), stats.n_null_draws, (0, 0))
        scores = score_direction(problem["source_fit"], problem["within_fit"], {"linear": (problem["train_design"], problem["test_design"])},
                                 problem["test_design"], problem["target"], untuned, stats)["linear"]
        seconds = time.perf_counter() - start
        predicted = problem["test_design"] @ problem["source_fit"].weights
        observed = problem["target"].test_runs[0].read()
    print(f"score_direction (both nulls, raw + corrected, within): {seconds:.2f} s; "
          f"{100 * scores['raw_significant'].mean():.1f}% significant (all voxels carry a planted effect)")

    correlate_columns(predicted, observed)
    corr_seconds = min(_timed(correlate_columns, predicted, observed) for _ in range(5))
    block_seconds = _timed(block_permutation_pvalues, predicted, observed, 10, 1000, 0)
    per_perm = block_seconds / 1000
    print(f"block permutation alone, 1,000 permutations: {block_seconds:.2f} s ({per_perm * 1e3:.3f} ms per permutation; "
          f"one correlation pass {corr_seconds * 1e3:.1f} ms)")
    print(f"permutation: seconds={seconds:.3f} block_only_seconds={block_seconds:.3f} per_perm_vs_corr={per_perm / corr_seconds:.4f}")


def _timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
