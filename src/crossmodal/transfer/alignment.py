"""Pair-based linear alignment between vision and text feature spaces.

method.md step 3: two ridge maps fitted on image-caption pairs (image->text
and text->image; one :func:`fit_alignment` call per direction), alpha chosen
by K-fold cross-validation on the training pairs, and held-out retrieval of
the mapped features against unaligned and shuffled-pair baselines.

The map
-------
Source and target columns are z-scored with the statistics of the training
pairs (stored in the map; constant columns get scale 1). In these standardised
spaces the map is ridge regression without intercept,
``W = (Xs^T Xs + alpha I)^-1 Xs^T Ys``, solved in the primal through the
eigendecomposition of the ``d_source x d_source`` Gram matrix, so the cost is
one pass over the pairs (``n d^2``) plus ``d^3``, whatever ``n`` is: 150,000
captions x 768 dimensions take seconds. Gram matrices are accumulated in
float64 from float32 chunks; the stored weights are float32.

Cross-validation
----------------
Folds are seeded (``cv_folds``); with ``groups`` (the image index of every
caption) all captions of one image fall in the same fold, so an image is never
both fitted and scored. Every fold is scored exactly as the final fit would
be: its training part is z-scored with *its own* statistics and the map
predicts the held-out part in original units. Score: coefficient of
determination R^2 per target dimension (``1 - SSE / SST`` with the held-out
part's own mean, as ``sklearn.metrics.r2_score``), averaged over target
dimensions (constant ones skipped) and then over folds. R^2 rather than
correlation because the mapped features are used as *values* downstream (an
encoding model's weights are applied to them), so their scale matters. All
of it is computed exactly from per-fold sufficient statistics (sums, Gram
and cross-product matrices), without refitting on the rows. The largest score
wins; ties go to the larger alpha.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from math import comb

import numpy as np

from crossmodal.encoding.folds import group_fold_labels
from crossmodal.errors import InputError

__all__ = [
    "AlignmentMap",
    "alignment_report",
    "chance_recall",
    "cv_folds",
    "fit_alignment",
    "fit_pair_maps",
    "retrieval_metrics",
    "retrieval_ranks",
]

logger = logging.getLogger(__name__)

_CHUNK = 8192
_CONSTANT_VARIANCE = 1e-12  # in units of the global variance (after z-scoring)


def _features(array, name: str, function: str) -> np.ndarray:
    array = np.asarray(array)
    if array.ndim != 2:
        raise InputError(
            f"{function}({name})", f"expected an array of shape (n_items, n_dims), got shape {array.shape}", "pass one row per item"
        )
    if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise InputError(f"{function}({name})", f"expected real numbers, got dtype {array.dtype}", "convert it to float32")
    if array.shape[0] and not np.all(np.isfinite(array)):
        raise InputError(f"{function}({name})", "contains NaN or infinite values", "check the feature extraction of these items")
    return array


def cv_folds(n_pairs: int, n_folds: int = 5, seed: int = 0, groups=None) -> np.ndarray:
    """Seeded K-fold assignment of pairs.

    Parameters
    ----------
    n_pairs : int
    n_folds : int, default 5
    seed : int, default 0
    groups : array of shape (n_pairs,), optional
        Pairs of one group (e.g. the captions of one image) share a fold.

    Returns
    -------
    fold : array of shape (n_pairs,), int64
        ``rng = numpy.random.default_rng(seed)``; the items (pairs, or groups
        in order of ``numpy.unique``) are visited in ``rng.permutation`` order
        and dealt to folds 0, 1, ..., n_folds - 1, 0, ...
    """
    if int(n_folds) != n_folds or n_folds < 2:
        raise InputError("cv_folds(n_folds)", f"must be an integer >= 2, got {n_folds!r}", "use e.g. 5")
    groups = np.arange(n_pairs) if groups is None else np.asarray(groups)
    if groups.shape != (n_pairs,):
        raise InputError("cv_folds(groups)", f"shape {groups.shape}, expected ({n_pairs},)", "pass one group label per pair")
    n_groups = len(np.unique(groups))
    if n_groups < n_folds:
        what = "pairs" if n_groups == n_pairs else "groups"
        raise InputError(f"cv_folds({'n_pairs' if what == 'pairs' else 'groups'})", f"{n_groups} {what} cannot fill {n_folds} folds",
                         "pass more pairs or fewer folds")
    return group_fold_labels(groups, n_folds, seed)


def _global_standardisation(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Chunked float64 mean and std (ddof 0); constant columns get std 1."""
    n, d = x.shape
    total = np.zeros(d)
    x_min = np.full(d, np.inf)
    x_max = np.full(d, -np.inf)
    for i in range(0, n, _CHUNK):
        chunk = x[i : i + _CHUNK]
        total += chunk.sum(axis=0, dtype=np.float64)
        x_min = np.minimum(x_min, chunk.min(axis=0))
        x_max = np.maximum(x_max, chunk.max(axis=0))
    constant = x_min == x_max
    mean = np.where(constant, x_min, total / n)
    squares = np.zeros(d)
    for i in range(0, n, _CHUNK):
        centred = x[i : i + _CHUNK].astype(np.float64) - mean
        squares += np.einsum("ij,ij->j", centred, centred)
    std = np.sqrt(squares / n)
    std[constant | (std == 0)] = 1.0
    return mean, std


@dataclass
class _FoldSums:
    """Sufficient statistics of one fold in globally standardised units."""

    n: int
    sx: np.ndarray  # (d_s,)
    gx: np.ndarray  # (d_s, d_s)
    sy: np.ndarray  # (d_t,)
    cxy: np.ndarray  # (d_s, d_t)
    qy: np.ndarray  # (d_t,)

    def __sub__(self, other: _FoldSums) -> _FoldSums:
        return _FoldSums(
            self.n - other.n, self.sx - other.sx, self.gx - other.gx, self.sy - other.sy, self.cxy - other.cxy, self.qy - other.qy
        )


def _fold_sums(x, y, rows, mx, sx, my, sy) -> _FoldSums:
    d_s, d_t = x.shape[1], y.shape[1]
    out = _FoldSums(0, np.zeros(d_s), np.zeros((d_s, d_s)), np.zeros(d_t), np.zeros((d_s, d_t)), np.zeros(d_t))
    for i in range(0, len(rows), _CHUNK):
        idx = rows[i : i + _CHUNK]
        xs = (x[idx].astype(np.float64) - mx) / sx
        ys = (y[idx].astype(np.float64) - my) / sy
        out.n += len(idx)
        out.sx += xs.sum(axis=0)
        out.gx += xs.T @ xs
        out.sy += ys.sum(axis=0)
        out.cxy += xs.T @ ys
        out.qy += np.einsum("ij,ij->j", ys, ys)
    return out


@dataclass
class _StandardisedProblem:
    """Ridge problem of a training set, z-scored with its own statistics."""

    mu: np.ndarray  # source mean (global units)
    sigma: np.ndarray  # source std (global units)
    nu: np.ndarray  # target mean
    tau: np.ndarray  # target std
    eigenvalues: np.ndarray  # of the standardised source Gram
    eigenvectors: np.ndarray
    projected: np.ndarray  # V^T Xs^T Ys, (d_s, d_t)


def _standardised_problem(train: _FoldSums) -> _StandardisedProblem:
    n = train.n
    mu = train.sx / n
    nu = train.sy / n
    gram = train.gx - n * np.outer(mu, mu)
    cross = train.cxy - n * np.outer(mu, nu)
    var_x = np.diag(gram) / n
    var_y = train.qy / n - nu**2
    sigma = np.where(var_x > _CONSTANT_VARIANCE, np.sqrt(np.maximum(var_x, 0)), 1.0)
    tau = np.where(var_y > _CONSTANT_VARIANCE, np.sqrt(np.maximum(var_y, 0)), 1.0)
    gram = gram / np.outer(sigma, sigma)
    cross = cross / np.outer(sigma, tau)
    eigenvalues, eigenvectors = np.linalg.eigh((gram + gram.T) / 2)
    eigenvalues = np.maximum(eigenvalues, 0)
    return _StandardisedProblem(mu, sigma, nu, tau, eigenvalues, eigenvectors, eigenvectors.T @ cross)


def _fold_r2(problem: _StandardisedProblem, held_out: _FoldSums, alphas: np.ndarray) -> np.ndarray:
    """Mean R^2 over target dims of the held-out fold, for every alpha."""
    V = problem.eigenvectors
    Vs = V / problem.sigma[:, None]  # Sigma^-1 V
    K = Vs.T @ held_out.gx @ Vs
    N = Vs.T @ held_out.cxy
    s_v = Vs.T @ held_out.sx
    mu_v = Vs.T @ problem.mu
    n_f, tau, nu = held_out.n, problem.tau, problem.nu
    sst = held_out.qy - held_out.sy**2 / n_f
    valid = sst > _CONSTANT_VARIANCE * n_f
    scores = np.empty(len(alphas))
    for a, alpha in enumerate(alphas):
        DM = problem.projected / (problem.eigenvalues + alpha)[:, None]
        quad = tau**2 * np.einsum("ij,ij->j", DM, K @ DM)
        cross = tau * np.einsum("ij,ij->j", N, DM)
        linear = tau * (s_v @ DM)
        offset = nu - tau * (mu_v @ DM)
        sse = held_out.qy - 2 * cross + quad - 2 * offset * (held_out.sy - linear) + n_f * offset**2
        scores[a] = np.mean(1 - sse[valid] / sst[valid]) if valid.any() else np.nan
    return scores


@dataclass(frozen=True)
class AlignmentMap:
    """A fitted ridge map from a source feature space to a target space.

    Attributes
    ----------
    weights : array of shape (d_source, d_target), float32
        Ridge weights between the standardised spaces.
    source_mean, source_scale : arrays of shape (d_source,), float64
        Training statistics used to z-score source features.
    target_mean, target_scale : arrays of shape (d_target,), float64
        Training statistics of the target features (to return to its units).
    alpha : float
        Chosen regularisation.
    alphas : array of shape (n_alphas,)
        Grid searched, ascending.
    cv_scores : array of shape (n_alphas,)
        Mean held-out R^2 for every alpha.
    n_pairs, n_folds, seed : int
        Training pairs, folds and the seed of the fold assignment.
    """

    weights: np.ndarray
    source_mean: np.ndarray
    source_scale: np.ndarray
    target_mean: np.ndarray
    target_scale: np.ndarray
    alpha: float
    alphas: np.ndarray
    cv_scores: np.ndarray
    n_pairs: int
    n_folds: int
    seed: int = 0
    score: str = field(default="r2")

    @property
    def alpha_at_grid_edge(self) -> bool:
        """True when the chosen alpha is the smallest or largest of the grid."""
        return len(self.alphas) > 1 and self.alpha in (float(self.alphas[0]), float(self.alphas[-1]))

    def standardize_source(self, x) -> np.ndarray:
        """Z-score source features with the training statistics, (n, d_source) float32."""
        x = _features(x, "x", "AlignmentMap.standardize_source")
        if x.shape[1] != self.weights.shape[0]:
            raise InputError(
                "AlignmentMap(x)", f"has {x.shape[1]} dims, the map's source has {self.weights.shape[0]}", "pass features of the source space"
            )
        return ((x - self.source_mean) / self.source_scale).astype(np.float32)

    def standardize_target(self, y) -> np.ndarray:
        """Z-score target-space features with the training statistics, (n, d_target) float32."""
        y = _features(y, "y", "AlignmentMap.standardize_target")
        if y.shape[1] != self.weights.shape[1]:
            raise InputError(
                "AlignmentMap(y)", f"has {y.shape[1]} dims, the map's target has {self.weights.shape[1]}", "pass features of the target space"
            )
        return ((y - self.target_mean) / self.target_scale).astype(np.float32)

    def transform(self, x, standardized: bool = False) -> np.ndarray:
        """Map source features into the target space.

        Parameters
        ----------
        x : array of shape (n, d_source)
        standardized : bool, default False
            Return z-scored target units instead of the target's own units.

        Returns
        -------
        mapped : array of shape (n, d_target), float32
        """
        mapped = self.standardize_source(x) @ self.weights
        if standardized:
            return mapped
        return (mapped * self.target_scale + self.target_mean).astype(np.float32)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Named arrays (for HDF5 datasets); inverse of :meth:`from_arrays`."""
        return {
            "weights": self.weights,
            "source_mean": self.source_mean,
            "source_scale": self.source_scale,
            "target_mean": self.target_mean,
            "target_scale": self.target_scale,
            "alpha": np.float64(self.alpha),
            "alphas": self.alphas,
            "cv_scores": self.cv_scores,
            "n_pairs": np.int64(self.n_pairs),
            "n_folds": np.int64(self.n_folds),
            "seed": np.int64(self.seed),
        }

    @classmethod
    def from_arrays(cls, arrays) -> AlignmentMap:
        """Rebuild a map from :meth:`to_arrays` output (or an HDF5 group)."""
        get = {key: np.asarray(arrays[key]) for key in cls.__dataclass_fields__ if key != "score"}
        return cls(
            weights=get["weights"].astype(np.float32),
            source_mean=get["source_mean"],
            source_scale=get["source_scale"],
            target_mean=get["target_mean"],
            target_scale=get["target_scale"],
            alpha=float(get["alpha"]),
            alphas=get["alphas"],
            cv_scores=get["cv_scores"],
            n_pairs=int(get["n_pairs"]),
            n_folds=int(get["n_folds"]),
            seed=int(get["seed"]),
        )


def fit_alignment(source_features, target_features, alphas, n_folds: int = 5, seed: int = 0, groups=None) -> AlignmentMap:
    """Ridge map source -> target with alpha chosen by K-fold CV.

    Parameters
    ----------
    source_features : array of shape (n_pairs, d_source)
        E.g. image features, one row per training pair.
    target_features : array of shape (n_pairs, d_target)
        E.g. caption features of the same pairs.
    alphas : array of shape (n_alphas,)
        Positive ridge penalties to search (in standardised units).
    n_folds : int, default 5
    seed : int, default 0
        Seed of the fold assignment (:func:`cv_folds`).
    groups : array of shape (n_pairs,), optional
        Group of every pair (the image index with several captions per image):
        a group is never split across folds.

    Returns
    -------
    AlignmentMap
    """
    function = "fit_alignment"
    x = _features(source_features, "source_features", function)
    y = _features(target_features, "target_features", function)
    if x.shape[0] != y.shape[0]:
        raise InputError(
            f"{function}(source_features, target_features)",
            f"{x.shape[0]} source rows but {y.shape[0]} target rows",
            "pass one row per image-caption pair on both sides",
        )
    alphas = np.sort(np.asarray(alphas, dtype=np.float64).reshape(-1))
    if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas <= 0):
        raise InputError(f"{function}(alphas)", "must be a non-empty list of positive numbers", "use e.g. numpy.logspace(-1, 5, 13)")
    n = x.shape[0]
    fold = cv_folds(n, n_folds, seed, groups)

    mx, sx = _global_standardisation(x)
    my, sy = _global_standardisation(y)
    sums = [_fold_sums(x, y, np.nonzero(fold == f)[0], mx, sx, my, sy) for f in range(n_folds)]
    total = sums[0]
    for s in sums[1:]:
        total = _FoldSums(total.n + s.n, total.sx + s.sx, total.gx + s.gx, total.sy + s.sy, total.cxy + s.cxy, total.qy + s.qy)

    scores = np.mean([_fold_r2(_standardised_problem(total - held_out), held_out, alphas) for held_out in sums], axis=0)
    best = len(alphas) - 1 - int(np.nanargmax(scores[::-1])) if np.any(np.isfinite(scores)) else len(alphas) - 1
    alpha = float(alphas[best])

    final = _standardised_problem(total)
    weights = final.eigenvectors @ (final.projected / (final.eigenvalues + alpha)[:, None])
    result = AlignmentMap(
        weights=weights.astype(np.float32),
        source_mean=mx + sx * final.mu,
        source_scale=sx * final.sigma,
        target_mean=my + sy * final.nu,
        target_scale=sy * final.tau,
        alpha=alpha,
        alphas=alphas,
        cv_scores=scores,
        n_pairs=n,
        n_folds=int(n_folds),
        seed=int(seed),
    )
    logger.info(
        "alignment %d pairs, %d -> %d dims: alpha %.3g (cv R^2 %.3f)%s",
        n,
        x.shape[1],
        y.shape[1],
        alpha,
        scores[best],
        " at the edge of the grid" if result.alpha_at_grid_edge else "",
    )
    return result


# --------------------------------------------------------------------------- retrieval


def _unit_rows(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float32)
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)


def retrieval_ranks(query, gallery, query_to_gallery=None, gallery_to_query=None, batch: int = 1024) -> np.ndarray:
    """Rank of the correct gallery item(s) for every query, by cosine similarity.

    Parameters
    ----------
    query : array of shape (n_queries, d)
    gallery : array of shape (n_gallery, d)
    query_to_gallery : array of shape (n_queries,), int, optional
        Query i's correct item is ``gallery[query_to_gallery[i]]`` (e.g.
        caption queries against an image gallery).
    gallery_to_query : array of shape (n_gallery,), int, optional
        Gallery item j is correct for query ``gallery_to_query[j]`` (e.g. image
        queries against a caption gallery with several captions per image);
        a query's rank is that of its best-ranked correct item.
        With neither index, ``n_queries == n_gallery`` and item i matches i.
    batch : int, default 1024
        Queries per similarity block.

    Returns
    -------
    ranks : array of shape (n_queries,), int64
        1 + the number of *incorrect* gallery items whose similarity is at least
        that of the (best) correct item: ties count against the query, so
        degenerate features (e.g. all-zero vectors) cannot score well.
    """
    function = "retrieval_ranks"
    q = _features(query, "query", function)
    g = _features(gallery, "gallery", function)
    if q.shape[1] != g.shape[1]:
        raise InputError(f"{function}(query, gallery)", f"dims differ: {q.shape[1]} vs {g.shape[1]}", "map both into one space first")
    n_q, n_g = q.shape[0], g.shape[0]
    if query_to_gallery is not None and gallery_to_query is not None:
        raise InputError(f"{function}(query_to_gallery, gallery_to_query)", "both given", "give one of them")
    if gallery_to_query is not None:
        g2q = np.asarray(gallery_to_query)
        if g2q.shape != (n_g,) or (n_g and (g2q.min() < 0 or g2q.max() >= n_q)):
            raise InputError(f"{function}(gallery_to_query)", f"must be {n_g} query indices in [0, {n_q})", "pass one query index per gallery item")
        missing = np.setdiff1d(np.arange(n_q), g2q)
        if missing.size:
            raise InputError(f"{function}(gallery_to_query)", f"{missing.size} queries have no correct item (e.g. {missing[0]})", "drop them")
    else:
        q2g = np.arange(n_q) if query_to_gallery is None else np.asarray(query_to_gallery)
        if query_to_gallery is None and n_q != n_g:
            raise InputError(f"{function}(query, gallery)", f"{n_q} queries but {n_g} gallery items", "pass query_to_gallery")
        if q2g.shape != (n_q,) or (n_q and (q2g.min() < 0 or q2g.max() >= n_g)):
            raise InputError(f"{function}(query_to_gallery)", f"must be {n_q} gallery indices in [0, {n_g})", "pass one gallery index per query")
    qn, gn = _unit_rows(q), _unit_rows(g)
    ranks = np.empty(n_q, dtype=np.int64)
    for i in range(0, n_q, batch):
        rows = np.arange(i, min(i + batch, n_q))
        sim = qn[rows] @ gn.T
        if gallery_to_query is not None:
            correct = g2q[None, :] == rows[:, None]
        else:
            correct = np.zeros(sim.shape, dtype=bool)
            correct[np.arange(len(rows)), q2g[rows]] = True
        best = np.where(correct, sim, -np.inf).max(axis=1)
        at_least = sim >= best[:, None]
        ranks[rows] = 1 + np.count_nonzero(at_least & ~correct, axis=1)
    return ranks


def retrieval_metrics(query, gallery, query_to_gallery=None, gallery_to_query=None) -> dict[str, float]:
    """Recall@1/5/10 and median rank of cosine-similarity retrieval.

    Parameters
    ----------
    query, gallery, query_to_gallery, gallery_to_query
        As in :func:`retrieval_ranks` (default: query i matches gallery i).

    Returns
    -------
    metrics : dict
        ``recall_at_1``, ``recall_at_5``, ``recall_at_10`` (fraction of queries
        whose correct item ranks within k) and ``median_rank`` (1 is perfect).
    """
    ranks = retrieval_ranks(query, gallery, query_to_gallery, gallery_to_query)
    return {
        "recall_at_1": float(np.mean(ranks <= 1)),
        "recall_at_5": float(np.mean(ranks <= 5)),
        "recall_at_10": float(np.mean(ranks <= 10)),
        "median_rank": float(np.median(ranks)),
    }


def chance_recall(n_gallery: int, n_correct: int, k: int) -> float:
    """Expected recall@k of a random ranking with ``n_correct`` correct items."""
    if k >= n_gallery:
        return 1.0
    return 1.0 - comb(n_gallery - n_correct, k) / comb(n_gallery, k)


# --------------------------------------------------------------------------- report


def _caption_index(caption_to_image, n_captions: int, n_images: int, name: str) -> np.ndarray:
    index = np.asarray(caption_to_image)
    if index.shape != (n_captions,) or not np.issubdtype(index.dtype, np.integer):
        raise InputError(f"alignment_report({name})", f"expected {n_captions} integer image indices, got shape {index.shape}", "pass one image index per caption")
    if n_captions and (index.min() < 0 or index.max() >= n_images):
        raise InputError(f"alignment_report({name})", f"image indices must lie in [0, {n_images})", "index rows of the image feature array")
    return index


def fit_pair_maps(
    image_features, text_features, caption_to_image, alphas, n_folds: int = 5, seed: int = 0, shuffled: bool = False
) -> dict[str, AlignmentMap]:
    """Fit the image->text and text->image maps on image-caption pairs.

    Parameters
    ----------
    image_features : array of shape (n_images, d_image)
    text_features : array of shape (n_captions, d_text)
    caption_to_image : array of shape (n_captions,), int
        Row of ``image_features`` each caption describes. Every caption is one
        pair; CV folds keep the captions of an image together.
    alphas : array of shape (n_alphas,)
    n_folds, seed : int
    shuffled : bool, default False
        Shuffled-pair baseline: captions are re-paired with the images of a
        seeded random permutation of the captions
        (``numpy.random.default_rng(seed).permutation(n_captions)``).

    Returns
    -------
    maps : dict {"image_to_text": AlignmentMap, "text_to_image": AlignmentMap}
    """
    images = _features(image_features, "image_features", "fit_pair_maps")
    texts = _features(text_features, "text_features", "fit_pair_maps")
    index = _caption_index(caption_to_image, texts.shape[0], images.shape[0], "caption_to_image")
    if shuffled:
        index = index[np.random.default_rng(seed).permutation(len(index))]
    paired_images = images[index]
    return {
        "image_to_text": fit_alignment(paired_images, texts, alphas, n_folds, seed, groups=index),
        "text_to_image": fit_alignment(texts, paired_images, alphas, n_folds, seed, groups=index),
    }


def alignment_report(
    train_image,
    train_text,
    train_caption_to_image,
    test_image,
    test_text,
    test_caption_to_image,
    alphas,
    n_folds: int = 5,
    seed: int = 0,
    maps: dict[str, AlignmentMap] | None = None,
) -> list[dict]:
    """Held-out retrieval of mapped features against the two baselines.

    Parameters
    ----------
    train_image : array of shape (n_train_images, d_image)
    train_text : array of shape (n_train_captions, d_text)
    train_caption_to_image : array of shape (n_train_captions,), int
    test_image : array of shape (n_test_images, d_image)
    test_text : array of shape (n_test_captions, d_text)
    test_caption_to_image : array of shape (n_test_captions,), int
    alphas : array of shape (n_alphas,)
    n_folds, seed : int
    maps : dict, optional
        Already fitted maps (output of :func:`fit_pair_maps` on the training
        pairs), so the workflow can save and reuse them; fitted here if None.

    Returns
    -------
    rows : list of dict
        One row per method and direction with keys ``method`` (``linear``,
        ``shuffled``, ``unaligned``), ``direction`` (``image_to_text``: mapped
        test images query the test captions, a query's best caption counts;
        ``text_to_image``: mapped captions query the test images), ``alpha``,
        ``n_queries``, ``n_gallery``, ``recall_at_1``, ``recall_at_5``,
        ``recall_at_10``, ``median_rank``, ``chance_recall_at_1`` (expected
        recall@1 of a uniformly random ranking; for ``image_to_text`` it
        assumes the captions of an image rank independently, which real,
        mutually similar captions do not, so a shuffled map can sit below it).
        Retrieval is scored in the target space z-scored with the training
        pairs' target statistics. ``unaligned`` (only when the dimensions
        match) compares raw features under that same z-scoring, i.e. without
        any learned map, like ``alignment: none``.
    """
    test_images = _features(test_image, "test_image", "alignment_report")
    test_texts = _features(test_text, "test_text", "alignment_report")
    test_index = _caption_index(test_caption_to_image, test_texts.shape[0], test_images.shape[0], "test_caption_to_image")
    if maps is None:
        maps = fit_pair_maps(train_image, train_text, train_caption_to_image, alphas, n_folds, seed)
    shuffled = fit_pair_maps(train_image, train_text, train_caption_to_image, alphas, n_folds, seed, shuffled=True)
    n_img, n_cap = test_images.shape[0], test_texts.shape[0]
    captions_per_image = np.bincount(test_index, minlength=n_img)
    rows = []

    def add(method, direction, alpha, query, gallery, **index):
        metrics = retrieval_metrics(query, gallery, **index)
        if direction == "image_to_text":
            chance = float(np.mean([chance_recall(n_cap, int(c), 1) for c in captions_per_image]))
        else:
            chance = chance_recall(n_img, 1, 1)
        rows.append(
            {"method": method, "direction": direction, "alpha": alpha, "n_queries": len(query), "n_gallery": len(gallery), **metrics, "chance_recall_at_1": chance}
        )

    for method, method_maps in (("linear", maps), ("shuffled", shuffled)):
        i2t, t2i = method_maps["image_to_text"], method_maps["text_to_image"]
        add(method, "image_to_text", i2t.alpha, i2t.transform(test_images, standardized=True), i2t.standardize_target(test_texts), gallery_to_query=test_index)
        add(method, "text_to_image", t2i.alpha, t2i.transform(test_texts, standardized=True), t2i.standardize_target(test_images), query_to_gallery=test_index)
    if test_images.shape[1] == test_texts.shape[1]:
        i2t, t2i = maps["image_to_text"], maps["text_to_image"]
        add("unaligned", "image_to_text", float("nan"), i2t.standardize_target(test_images), i2t.standardize_target(test_texts), gallery_to_query=test_index)
        add("unaligned", "text_to_image", float("nan"), t2i.standardize_target(test_texts), t2i.standardize_target(test_images), query_to_gallery=test_index)
    else:
        logger.info("unaligned baseline skipped: image features have %d dims, text features %d", test_images.shape[1], test_texts.shape[1])
    return rows
