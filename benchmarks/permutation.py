"""Benchmark of the block-permutation test (issue 5; not a timed test).

1,000 permutations x 20,000 voxels x 300 TRs, blocks of 10 TRs. Prints the
wall time and the cost of one permutation relative to one correlation pass
(one ``correlate_columns`` call on the same data). The last line is
machine-readable:

    permutation: seconds=... per_perm_vs_corr=...

Run: ``python benchmarks/permutation.py [--voxels N] [--trs N] [--permutations N]``
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from crossmodal.transfer.stats import block_permutation_pvalues, correlate_columns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voxels", type=int, default=20_000)
    parser.add_argument("--trs", type=int, default=300)
    parser.add_argument("--permutations", type=int, default=1_000)
    parser.add_argument("--block-len", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    observed = rng.standard_normal((args.trs, args.voxels), dtype=np.float32)
    predicted = 0.2 * observed + rng.standard_normal((args.trs, args.voxels), dtype=np.float32)
    print(f"data: {args.trs} TRs x {args.voxels} voxels float32, {args.permutations} permutations, blocks of {args.block_len} TRs")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, numpy {np.__version__}")

    correlate_columns(predicted, observed)  # warm-up
    corr_times = []
    for _ in range(5):
        start = time.perf_counter()
        correlate_columns(predicted, observed)
        corr_times.append(time.perf_counter() - start)
    corr_seconds = min(corr_times)
    print(f"one correlation pass (correlate_columns, best of 5): {corr_seconds * 1e3:.1f} ms")

    start = time.perf_counter()
    result = block_permutation_pvalues(predicted, observed, block_len=args.block_len, n_permutations=args.permutations, seed=args.seed)
    seconds = time.perf_counter() - start
    per_perm = seconds / args.permutations
    print(f"block_permutation_pvalues: {seconds:.2f} s total, {per_perm * 1e3:.3f} ms per permutation")
    print(f"voxels with p <= 0.05: {np.mean(result.p_values <= 0.05):.3f} (all carry a planted effect)")
    print(f"permutation: seconds={seconds:.3f} per_perm_vs_corr={per_perm / corr_seconds:.4f}")


if __name__ == "__main__":
    main()
