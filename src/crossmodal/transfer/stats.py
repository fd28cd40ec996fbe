"""Per-voxel correlation, block-permutation significance and BH-FDR.

The significance test of method.md step 5: the null distribution of a voxel's
test correlation is the correlation of its prediction with the *observed* test
time course whose blocks of ``block_len`` TRs are shuffled. Shuffling blocks
rather than single TRs keeps the autocorrelation of the BOLD signal within a
block, so the null is not too narrow.

Permutation scheme (the contract a reference implementation can reproduce)
--------------------------------------------------------------------------
* The ``n_trs`` test TRs are cut into consecutive blocks of ``block_len`` TRs:
  ``[0, L), [L, 2L), ...``. When ``n_trs`` is not a multiple of ``block_len``
  the last, shorter block (``n_trs % block_len`` TRs) is a block of its own and
  is shuffled like the others; no TR is dropped.
* ``rng = numpy.random.default_rng(seed)``; the k-th permutation is the k-th
  call ``rng.permutation(n_blocks)`` (see :func:`block_permutation_orders`).
  ``order[q]`` is the block placed at position ``q`` of the shuffled time
  course (:func:`block_permutation_indices` turns it into TR indices).
* The same permutation is applied to every voxel, which keeps the spatial
  correlation between voxels in the null (needed for FDR under dependence and
  for any max-statistic built on these nulls).
* One-sided p-value: ``p = (1 + #{null_r >= observed_r}) / (1 + n_permutations)``,
  never 0. A null value counts as ">=" when it is within ``1e-6`` of the
  observed value, so a permutation that reproduces the observed time course
  (the identity, for instance) always counts despite float32 rounding.

Speed
-----
With z-scored columns ``p`` (prediction) and ``z`` (observed) the null
correlation of a permutation is ``sum_t p[t] * z[idx[t]]`` per voxel. Because
whole blocks move, this sum splits into *block cross-products*
``c[o, b] = sum_j p[o + j] * z[start_b + j]`` (block ``b`` of the observed
series placed at TR offset ``o`` of the prediction). Only
``n_full_blocks**2`` offset/block pairs can occur (twice that, plus the
partial block's ``n_full_blocks + 1`` placements, when there is a partial
block, because everything after it is shifted by its length). Every
permutation is then a 0/1 row selecting ``n_blocks`` of these products, and a
batch of permutations is one matrix product ``layout (n_perm, n_pairs) @
products (n_pairs, n_voxels)``: exact (the same terms, summed in another
order) and BLAS-fast. When the number of pairs is large compared with the
number of TRs (many short blocks) a direct row-gather loop is used instead
(``method="gather"``); both give the same numbers within float32 rounding.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from crossmodal.errors import InputError
from crossmodal.numerics import correlate_columns

__all__ = [
    "PermutationResult",
    "block_permutation_indices",
    "block_permutation_orders",
    "block_permutation_pvalues",
    "correlate_columns",
    "fdr_bh",
]

#: Null values this close to the observed correlation count as exceedances.
TIE_TOLERANCE = 1e-6

#: Largest work array (float32 values) the "blocks" method builds.
_MAX_WORK = 2**26


def _as_2d(array, name: str, function: str) -> np.ndarray:
    array = np.asarray(array)
    if array.ndim != 2:
        raise InputError(
            f"{function}({name})",
            f"expected an array of shape (n_samples, n_voxels), got shape {array.shape}",
            "pass one column per voxel (reshape a single time course with x[:, None])",
        )
    if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise InputError(f"{function}({name})", f"expected real numbers, got dtype {array.dtype}", "convert it to float32")
    if not np.all(np.isfinite(array)):
        n_bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise InputError(
            f"{function}({name})",
            f"{n_bad} values are NaN or infinite",
            "remove or impute them before scoring (e.g. drop voxels outside the brain)",
        )
    return array


def _check_same_shape(a: np.ndarray, b: np.ndarray, names: tuple[str, str], function: str) -> None:
    if a.shape != b.shape:
        raise InputError(
            f"{function}({names[0]}, {names[1]})",
            f"shapes differ: {a.shape} vs {b.shape}",
            "pass predicted and observed time courses of the same TRs and voxels",
        )


def _zscore_unit(x: np.ndarray) -> np.ndarray:
    """Columns centred and scaled to unit *norm* (so a column dot product is r).

    Constant columns become zeros. Returns float32.
    """
    x = np.asarray(x, dtype=np.float32)
    constant = x.max(axis=0) == x.min(axis=0)
    centred = x - x.mean(axis=0, dtype=np.float64).astype(np.float32)
    norm = np.sqrt(np.einsum("ij,ij->j", centred, centred, dtype=np.float64)).astype(np.float32)
    scale = np.where(constant | (norm == 0), np.float32(0), 1 / np.where(norm == 0, 1, norm)).astype(np.float32)
    centred *= scale
    return centred


# --------------------------------------------------------------------------- blocks


def _block_layout(n_trs: int, block_len: int) -> tuple[int, int, np.ndarray, np.ndarray]:
    """Blocks of the time course: (n_full, partial_len, starts, lengths)."""
    n_full, partial = divmod(n_trs, block_len)
    n_blocks = n_full + (partial > 0)
    starts = np.arange(n_blocks) * block_len
    lengths = np.full(n_blocks, block_len)
    if partial:
        lengths[-1] = partial
    return n_full, partial, starts, lengths


def _check_block_arguments(n_trs: int, block_len: int, n_permutations: int | None, function: str) -> None:
    if int(block_len) != block_len or block_len < 1:
        raise InputError(f"{function}(block_len)", f"must be a positive integer, got {block_len!r}", "use e.g. 10 TRs")
    if n_trs < 2 * block_len:
        raise InputError(
            f"{function}(block_len)",
            f"{n_trs} TRs make fewer than 2 blocks of {block_len} TRs, so there is nothing to permute",
            "use a shorter block_len (stats.block_len) or a longer test run",
        )
    if n_permutations is not None and (int(n_permutations) != n_permutations or n_permutations < 1):
        raise InputError(
            f"{function}(n_permutations)",
            f"must be a positive integer, got {n_permutations!r}",
            "use e.g. 1000 (stats.n_permutations)",
        )


def block_permutation_orders(n_trs: int, block_len: int, n_permutations: int, seed: int = 0) -> np.ndarray:
    """Block orders of the permutations, exactly as the test uses them.

    Parameters
    ----------
    n_trs : int
        Length of the test time course.
    block_len : int
        TRs per block; a last partial block is a block of its own.
    n_permutations : int
    seed : int

    Returns
    -------
    orders : array of shape (n_permutations, n_blocks), int64
        ``orders[k]`` is the k-th call of
        ``numpy.random.default_rng(seed).permutation(n_blocks)``;
        ``orders[k, q]`` is the block placed at position ``q``.
    """
    _check_block_arguments(n_trs, block_len, n_permutations, "block_permutation_orders")
    n_blocks = len(_block_layout(n_trs, block_len)[2])
    rng = np.random.default_rng(seed)
    orders = np.empty((n_permutations, n_blocks), dtype=np.int64)
    for k in range(n_permutations):
        orders[k] = rng.permutation(n_blocks)
    return orders


def block_permutation_indices(n_trs: int, block_len: int, order) -> np.ndarray:
    """TR indices of a block-shuffled time course.

    Parameters
    ----------
    n_trs, block_len : int
    order : array of shape (n_blocks,), int
        A permutation of the blocks (a row of :func:`block_permutation_orders`).

    Returns
    -------
    indices : array of shape (n_trs,), int64
        ``observed[indices]`` is the shuffled time course.
    """
    _, _, starts, lengths = _block_layout(n_trs, block_len)
    order = np.asarray(order)
    if sorted(order.tolist()) != list(range(len(starts))):
        raise InputError(
            "block_permutation_indices(order)",
            f"is not a permutation of the {len(starts)} blocks",
            "pass a row of block_permutation_orders",
        )
    return np.concatenate([np.arange(starts[b], starts[b] + lengths[b]) for b in order])


class _PairDictionary:
    """Index of every (offset, block) pair a block permutation can produce."""

    def __init__(self, n_trs: int, block_len: int):
        self.n_trs, self.block_len = n_trs, block_len
        self.n_full, self.partial, self.starts, self.lengths = _block_layout(n_trs, block_len)
        n_full = self.n_full
        # grid offsets q*L for full blocks, then offsets q*L + partial, then the
        # partial block at offsets p*L (p = 0..n_full)
        self.n_pairs = n_full * n_full + ((n_full * n_full + n_full + 1) if self.partial else 0)

    def layout(self, orders: np.ndarray) -> np.ndarray:
        """0/1 matrix (n_perm, n_pairs), float32, selecting each order's pairs."""
        n_perm, n_blocks = orders.shape
        lengths = self.lengths[orders]
        offsets = np.cumsum(lengths, axis=1) - lengths
        L, n_full, partial = self.block_len, self.n_full, self.partial
        is_partial = orders == n_full if partial else np.zeros(orders.shape, dtype=bool)
        on_grid = offsets % L == 0
        index = np.where(
            is_partial,
            2 * n_full * n_full + offsets // L,
            np.where(on_grid, (offsets // L) * n_full + orders, n_full * n_full + ((offsets - partial) // L) * n_full + orders),
        )
        matrix = np.zeros((n_perm, self.n_pairs), dtype=np.float32)
        np.put_along_axis(matrix, index, 1.0, axis=1)
        return matrix

    def products(self, p: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Block cross-products (n_pairs, n_voxels) of z-scored columns, float32."""
        L, n_full, partial = self.block_len, self.n_full, self.partial
        n_vox = p.shape[1]
        out = np.empty((self.n_pairs, n_vox), dtype=np.float32)
        # (n_vox, n_full, L) stacks so that one batched matmul gives all pairs
        z_blocks = np.ascontiguousarray(z[: n_full * L].reshape(n_full, L, n_vox).transpose(2, 1, 0))
        shifts = [0] + ([partial] if partial else [])
        for s, shift in enumerate(shifts):
            p_blocks = np.ascontiguousarray(p[shift : shift + n_full * L].reshape(n_full, L, n_vox).transpose(2, 0, 1))
            grid = np.matmul(p_blocks, z_blocks)  # (n_vox, q, block)
            out[s * n_full * n_full : (s + 1) * n_full * n_full] = grid.reshape(n_vox, -1).T
        if partial:
            tail = z[n_full * L :]
            for q in range(n_full + 1):
                out[2 * n_full * n_full + q] = np.einsum("ij,ij->j", p[q * L : q * L + partial], tail)
        return out


class PermutationResult(NamedTuple):
    """Result of :func:`block_permutation_pvalues` (unpacks as a 3-tuple).

    Attributes
    ----------
    observed_r : array of shape (n_voxels,), float32
    p_values : array of shape (n_voxels,), float64
    null_r : array of shape (n_permutations, n_voxels), float32, or None
    """

    observed_r: np.ndarray
    p_values: np.ndarray
    null_r: np.ndarray | None


def block_permutation_pvalues(
    predicted,
    observed,
    block_len: int = 10,
    n_permutations: int = 1000,
    seed: int = 0,
    voxel_batch: int = 4096,
    return_null: bool = False,
    method: str = "auto",
    permutation_batch: int = 1000,
) -> PermutationResult:
    """One-sided block-permutation p-value of the correlation of every voxel.

    Parameters
    ----------
    predicted : array of shape (n_trs, n_voxels)
        Predicted test time courses.
    observed : array of shape (n_trs, n_voxels)
        Observed test time courses (these are shuffled).
    block_len : int, default 10
        TRs per block; when ``n_trs % block_len`` is not 0 the last, shorter
        block is a block of its own (no TR is dropped).
    n_permutations : int, default 1000
    seed : int, default 0
        ``numpy.random.default_rng(seed)``; see :func:`block_permutation_orders`.
        The permutations do not depend on ``voxel_batch`` or ``method``.
    voxel_batch : int, default 4096
        Voxels processed at once (bounds memory).
    return_null : bool, default False
        Also return the null correlations (n_permutations x n_voxels float32).
    method : {"auto", "blocks", "gather"}
        ``"blocks"``: block cross-products and one matrix product per batch of
        permutations (fast when blocks are long); ``"gather"``: row-gather of
        the observed matrix per permutation; ``"auto"`` picks ``"blocks"`` when
        its number of offset/block pairs is at most 20 x n_trs (for 10-TR
        blocks: runs up to 2,000 TRs, or 1,000 with a partial last block),
        which is where it stops being faster (measured on 2 CPU cores).
    permutation_batch : int, default 1000
        Permutations per matrix product (bounds memory). With
        ``method="blocks"`` both batches are lowered so that no work array
        exceeds 2**26 float32 values (256 MiB).

    Returns
    -------
    PermutationResult
        ``(observed_r, p_values, null_r)`` with ``observed_r`` of shape
        (n_voxels,) float32, ``p_values`` of shape (n_voxels,) float64 equal to
        ``(1 + #{null >= observed}) / (1 + n_permutations)``, and ``null_r``
        (n_permutations, n_voxels) or None. Constant columns have r = 0 and
        p = 1.
    """
    function = "block_permutation_pvalues"
    predicted = _as_2d(predicted, "predicted", function)
    observed = _as_2d(observed, "observed", function)
    _check_same_shape(predicted, observed, ("predicted", "observed"), function)
    n_trs, n_voxels = observed.shape
    _check_block_arguments(n_trs, block_len, n_permutations, function)
    if method not in ("auto", "blocks", "gather"):
        raise InputError(f"{function}(method)", f"unknown method {method!r}", "use 'auto', 'blocks' or 'gather'")
    voxel_batch = max(1, int(voxel_batch))
    permutation_batch = max(1, int(permutation_batch))

    orders = block_permutation_orders(n_trs, block_len, n_permutations, seed)
    pairs = _PairDictionary(n_trs, block_len)
    if method == "auto":
        method = "blocks" if pairs.n_pairs <= 20 * n_trs else "gather"
    if method == "blocks":
        voxel_batch = min(voxel_batch, max(1, _MAX_WORK // pairs.n_pairs))
        permutation_batch = min(permutation_batch, max(1, _MAX_WORK // pairs.n_pairs))
        layouts = [pairs.layout(orders[k : k + permutation_batch]) for k in range(0, n_permutations, permutation_batch)]
    else:
        indices = np.stack([block_permutation_indices(n_trs, block_len, order) for order in orders])

    observed_r = np.empty(n_voxels, dtype=np.float32)
    exceed = np.zeros(n_voxels, dtype=np.int64)
    null_r = np.empty((n_permutations, n_voxels), dtype=np.float32) if return_null else None
    for v0 in range(0, n_voxels, voxel_batch):
        v1 = min(v0 + voxel_batch, n_voxels)
        p = _zscore_unit(predicted[:, v0:v1])
        z = _zscore_unit(observed[:, v0:v1])
        r_obs = np.clip(np.einsum("ij,ij->j", p, z), -1, 1)
        observed_r[v0:v1] = r_obs
        threshold = r_obs - TIE_TOLERANCE
        if method == "blocks":
            products = pairs.products(p, z)
            for b, layout in enumerate(layouts):
                k0 = b * permutation_batch
                null = layout @ products
                exceed[v0:v1] += np.count_nonzero(null >= threshold, axis=0)
                if null_r is not None:
                    null_r[k0 : k0 + len(layout), v0:v1] = null
        else:
            for k, idx in enumerate(indices):
                null = np.einsum("ij,ij->j", p, z[idx])
                exceed[v0:v1] += null >= threshold
                if null_r is not None:
                    null_r[k, v0:v1] = null
    p_values = (1.0 + exceed) / (1.0 + n_permutations)
    return PermutationResult(observed_r, p_values, null_r)


# --------------------------------------------------------------------------- FDR


def fdr_bh(p_values, q: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini-Hochberg false discovery rate control.

    Same numbers as ``statsmodels.stats.multitest.multipletests(p,
    alpha=q, method="fdr_bh")`` (rejections and corrected p-values).

    Parameters
    ----------
    p_values : array of shape (n_voxels,)
        P-values in [0, 1]. NaN entries (untested voxels) are left out of the
        procedure: they do not count in the number of tests, are never
        significant, and get a NaN q-value.
    q : float, default 0.05
        Target false discovery rate.

    Returns
    -------
    significant : array of shape (n_voxels,), bool
        Rejected null hypotheses (step-up: every p at or below the largest
        ``p_(i) <= i q / m``).
    q_values : array of shape (n_voxels,), float64
        BH-adjusted p-values, ``min_{j >= i} p_(j) m / j`` clipped at 1;
        ``significant == (q_values <= q)`` up to rounding at the boundary.
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1:
        raise InputError("fdr_bh(p_values)", f"expected a 1-D array, got shape {p.shape}", "pass one p-value per voxel")
    if not 0 < q < 1:
        raise InputError("fdr_bh(q)", f"must be in (0, 1), got {q!r}", "use e.g. 0.05 (stats.fdr_q)")
    tested = ~np.isnan(p)
    if np.any((p[tested] < 0) | (p[tested] > 1)):
        raise InputError("fdr_bh(p_values)", "contains values outside [0, 1]", "pass p-values, not statistics")
    significant = np.zeros(p.shape, dtype=bool)
    q_values = np.full(p.shape, np.nan)
    pt = p[tested]
    m = pt.size
    if m == 0:
        return significant, q_values
    order = np.argsort(pt)
    p_sorted = pt[order]
    ecdf = np.arange(1, m + 1) / m
    below = np.nonzero(p_sorted <= ecdf * q)[0]
    reject_sorted = np.zeros(m, dtype=bool)
    if below.size:
        reject_sorted[: below[-1] + 1] = True
    adjusted = np.minimum.accumulate((p_sorted / ecdf)[::-1])[::-1]
    adjusted = np.minimum(adjusted, 1.0)
    sig_t = np.empty(m, dtype=bool)
    q_t = np.empty(m)
    sig_t[order] = reject_sorted
    q_t[order] = adjusted
    significant[tested] = sig_t
    q_values[tested] = q_t
    return significant, q_values
