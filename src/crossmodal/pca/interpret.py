"""Reading principal components through stimuli: words, images, and how shared a PC is.

Units
-----
The components live in the space of the story design's columns, i.e. text
features divided by the story training standard deviation of each column
(``feature_std`` of the design file). Stimulus features are brought into that
space by dividing by the same ``feature_std`` before projecting
(:func:`project`); image features are first mapped into the text space with
the image->text alignment map. Centring does not change rankings or
correlations, so projections are not centred.

Sharedness
----------
For each test image-caption pair, the caption's projection (text features,
averaged over the captions of the image) and the image's projection (vision
features mapped into the text space) are computed; the sharedness of a PC is
their Pearson correlation across test images. A PC the two modalities
express alike gets a high value; one only the text side carries gets about 0.
Uncertainty: a seeded bootstrap over images gives a confidence interval, and
a seeded permutation of the pairing (which image goes with which caption)
gives the null distribution, its central interval and a one-sided p-value.
"""

from __future__ import annotations

import numpy as np

from crossmodal.errors import InputError
from crossmodal.numerics import correlate_columns


def project(features: np.ndarray, components: np.ndarray, feature_std: np.ndarray | None = None) -> np.ndarray:
    """Projection of stimulus features on components.

    Parameters
    ----------
    features : array of shape (n_items, n_features)
    components : array of shape (n_components, n_features)
    feature_std : array of shape (n_features,), optional
        Per-column scale of the encoding design; features are divided by it.

    Returns
    -------
    projections : array of shape (n_items, n_components), float64
    """
    features = np.asarray(features, dtype=np.float64)
    components = np.asarray(components, dtype=np.float64)
    if features.ndim != 2 or features.shape[1] != components.shape[1]:
        raise InputError(
            "project(features)", f"shape {features.shape} does not match components {components.shape}",
            "use the features of the layer (and alignment) the encoding model was fitted on",
        )
    if feature_std is not None:
        features = features / np.where(np.asarray(feature_std) > 0, feature_std, 1.0)
    return features @ components.T


def average_by_label(features: np.ndarray, labels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean feature vector of every distinct label (e.g. every word).

    Parameters
    ----------
    features : array of shape (n_items, n_features)
    labels : sequence of length n_items

    Returns
    -------
    unique_labels : array of shape (n_labels,)
    means : array of shape (n_labels, n_features), float64
    counts : array of shape (n_labels,), int
    """
    features = np.asarray(features, dtype=np.float64)
    unique, inverse, counts = np.unique(np.asarray(labels), return_inverse=True, return_counts=True)
    sums = np.zeros((len(unique), features.shape[1]))
    np.add.at(sums, inverse.reshape(-1), features)
    return unique, sums / counts[:, None], counts


def top_bottom(projections: np.ndarray, n_top: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the highest and lowest projections on every component.

    Parameters
    ----------
    projections : array of shape (n_items, n_components)
    n_top : int

    Returns
    -------
    top, bottom : int arrays of shape (n_components, min(n_top, n_items))
        ``top[k]`` in descending, ``bottom[k]`` in ascending order of projection.
    """
    order = np.argsort(projections, axis=0, kind="stable")
    n = min(int(n_top), len(projections))
    return order[::-1][:n].T.copy(), order[:n].T.copy()


def sharedness(text_projections: np.ndarray, image_projections: np.ndarray, n_permutations: int = 1000, seed: int = 0,
               confidence: float = 0.95) -> dict[str, np.ndarray]:
    """Correlation across pairs between the text and image projections of every PC.

    Parameters
    ----------
    text_projections : array of shape (n_pairs, n_components)
        Caption side (one row per image, captions averaged).
    image_projections : array of shape (n_pairs, n_components)
        Image side, same row order.
    n_permutations : int
        Bootstrap resamples and pairing permutations (each).
    seed : int
    confidence : float
        Coverage of the bootstrap and null intervals.

    Returns
    -------
    dict of arrays of shape (n_components,)
        ``r``; ``ci_low``, ``ci_high`` (bootstrap over pairs); ``null_low``,
        ``null_high`` (central interval of r under shuffled pairing);
        ``p_value`` (one-sided, ``(1 + #null >= r) / (1 + n_permutations)``).
    """
    text = np.asarray(text_projections, dtype=np.float64)
    image = np.asarray(image_projections, dtype=np.float64)
    if text.shape != image.shape or text.ndim != 2 or len(text) < 3:
        raise InputError("sharedness()", f"text {text.shape} and image {image.shape} projections must be one (n_pairs >= 3, n_components) shape",
                         "pass one row per test pair, in the same order")
    rng = np.random.default_rng(seed)
    n = len(text)
    r = correlate_columns(text, image, dtype=np.float64)
    boot = np.empty((n_permutations, text.shape[1]))
    null = np.empty((n_permutations, text.shape[1]))
    for i in range(n_permutations):
        rows = rng.integers(n, size=n)
        boot[i] = correlate_columns(text[rows], image[rows], dtype=np.float64)
        null[i] = correlate_columns(text, image[rng.permutation(n)], dtype=np.float64)
    tail = (1 - confidence) / 2 * 100
    return {
        "r": r,
        "ci_low": np.percentile(boot, tail, axis=0),
        "ci_high": np.percentile(boot, 100 - tail, axis=0),
        "null_low": np.percentile(null, tail, axis=0),
        "null_high": np.percentile(null, 100 - tail, axis=0),
        "p_value": (1 + (null >= r).sum(axis=0)) / (1 + n_permutations),
    }


def random_directions(n_directions: int, n_features: int, seed: int = 0) -> np.ndarray:
    """Isotropic random unit directions of the weight space.

    Returns
    -------
    directions : array of shape (n_directions, n_features), float64
        ``numpy.random.default_rng(seed)`` normal draws scaled to unit norm.
    """
    directions = np.random.default_rng(seed).standard_normal((int(n_directions), int(n_features)))
    return directions / np.linalg.norm(directions, axis=1, keepdims=True)


def direction_sharedness(caption_features: np.ndarray, image_features: np.ndarray, directions: np.ndarray,
                         feature_std: np.ndarray | None = None) -> np.ndarray:
    """The sharedness statistic of arbitrary directions: correlation across pairs of the two projections.

    Parameters
    ----------
    caption_features, image_features : arrays of shape (n_pairs, n_features)
        Caption features (averaged per image) and image features brought into the text space.
    directions : array of shape (n_directions, n_features)
    feature_std : array of shape (n_features,), optional

    Returns
    -------
    r : array of shape (n_directions,), float64
    """
    return correlate_columns(project(caption_features, directions, feature_std), project(image_features, directions, feature_std),
                             dtype=np.float64)


def against_baseline(r: np.ndarray, baseline: np.ndarray) -> dict[str, np.ndarray]:
    """Each component's sharedness against a baseline distribution of the same statistic.

    Parameters
    ----------
    r : array of shape (n_components,)
    baseline : array of shape (n_baseline,)
        E.g. the sharedness of random directions.

    Returns
    -------
    dict of arrays of shape (n_components,)
        ``percentile`` (fraction of the baseline below ``r``), ``p``
        (one-sided, ``(1 + #{baseline >= r}) / (1 + n_baseline)``),
        ``median`` and ``high`` (the baseline's median and 95th percentile, repeated).
    """
    r = np.asarray(r, dtype=np.float64)
    baseline = np.asarray(baseline, dtype=np.float64)
    at_least = (baseline[None, :] >= r[:, None]).sum(axis=1)
    return {
        "percentile": (baseline[None, :] < r[:, None]).mean(axis=1),
        "p": (1 + at_least) / (1 + len(baseline)),
        "median": np.full(len(r), np.median(baseline)),
        "high": np.full(len(r), np.percentile(baseline, 95)),
    }
