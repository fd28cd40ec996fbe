"""Lanczos resampling and the fMRI grids (method.md step 2)."""

import numpy as np
import pytest

from crossmodal.errors import InputError
from crossmodal.features.resample import (
    ds003020_feature_grid,
    ds003020_tr_times,
    lanczos_kernel,
    lanczos_resample,
    lanczos_weights,
    movie_tr_times,
    resample_movie_run,
    resample_story,
)


def slow_lanczos(values, event_times, tr_times, tr, cutoff_mult=1.0, window=3):
    """Reference written from the formula: a loop over TRs and events."""
    cutoff = cutoff_mult / tr
    out = np.zeros((len(tr_times), values.shape[1]))
    for k, t in enumerate(tr_times):
        for e, te in enumerate(event_times):
            x = (t - te) * cutoff
            if abs(x) <= window:
                weight = 1.0 if x == 0 else window * np.sin(np.pi * x) * np.sin(np.pi * x / window) / (np.pi**2 * x**2)
                out[k] += weight * values[e]
    return out


def test_kernel_is_huth_lanczosfun():
    x = np.linspace(-4, 4, 801)
    expected = np.where(
        np.abs(x) <= 3,
        np.divide(3 * np.sin(np.pi * x) * np.sin(np.pi * x / 3), np.pi**2 * x**2, where=x != 0, out=np.ones_like(x)),
        0.0,
    )
    np.testing.assert_allclose(lanczos_kernel(x, 3), expected, atol=1e-12)
    assert lanczos_kernel(np.array([0.0]))[0] == 1.0
    np.testing.assert_allclose(lanczos_kernel(np.array([1.0, 2.0, -1.0, 3.0, 3.5])), 0.0, atol=1e-15)


@pytest.mark.parametrize("cutoff_mult", [1.0, 0.5])
def test_resample_matches_slow_reference(cutoff_mult):
    rng = np.random.default_rng(0)
    event_times = np.sort(rng.uniform(-5, 95, 300))
    values = rng.standard_normal((300, 4))
    tr_times = np.arange(45) * 2.0 + 1.0
    fast = lanczos_resample(values, event_times, tr_times, 2.0, cutoff_mult)
    assert fast.dtype == np.float32 and fast.shape == (45, 4)
    np.testing.assert_allclose(fast, slow_lanczos(values, event_times, tr_times, 2.0, cutoff_mult), rtol=1e-5, atol=1e-5)


def test_unsorted_events_give_the_same_result():
    rng = np.random.default_rng(1)
    event_times = rng.uniform(0, 60, 100)
    values = rng.standard_normal((100, 3))
    tr_times = movie_tr_times(30, 2.0)
    order = np.argsort(event_times)
    np.testing.assert_allclose(
        lanczos_resample(values, event_times, tr_times, 2.0),
        lanczos_resample(values[order], event_times[order], tr_times, 2.0),
        rtol=1e-6,
    )


def test_weights_are_banded():
    event_times = np.arange(0, 200, 0.25)
    weights = lanczos_weights(event_times, movie_tr_times(100, 2.0), 2.0)
    # |x| <= 3 at f_c = 0.5 Hz: events within 6 s of a TR, 12 s at 4 events/s = 48 (+1 at the edge).
    assert weights.nnz <= 100 * 49


def test_constant_rate_gives_events_per_tr():
    rate = 3.0  # events per second
    event_times = np.arange(0, 300, 1 / rate)
    values = np.ones((len(event_times), 1))
    out = lanczos_resample(values, event_times, movie_tr_times(150, 2.0), 2.0)[:, 0]
    interior = out[10:-10]
    np.testing.assert_allclose(interior, rate * 2.0, rtol=0.02)


def test_single_event_gives_the_kernel():
    tr_times = np.arange(-20, 20, 0.1)
    out = lanczos_resample(np.array([[2.0]]), np.array([1.3]), tr_times, tr=2.0)[:, 0]
    np.testing.assert_allclose(out, 2.0 * lanczos_kernel((tr_times - 1.3) / 2.0), atol=1e-6)


def test_ds003020_row_arithmetic():
    grid, keep = ds003020_feature_grid(261)
    assert len(grid) == 256
    assert grid[0] == -9.0 and grid[1] == -7.0  # k * 2 - 10 + 1
    kept = ds003020_tr_times(261)
    assert len(kept) == 241 == len(grid[keep])
    assert kept[0] == 11.0  # row 10 of the grid
    rng = np.random.default_rng(2)
    word_times = np.sort(rng.uniform(0, 480, 1500))
    story = resample_story(rng.standard_normal((1500, 5)), word_times, 261)
    assert story.shape == (241, 5) and story.dtype == np.float32
    # Same as resampling the whole grid, then keeping rows [10:-5].
    full = lanczos_resample(rng.standard_normal((1500, 5)) * 0, word_times, grid, 2.0)
    assert full[keep].shape == (241, 5)


def test_story_resampling_equals_grid_then_trim():
    rng = np.random.default_rng(3)
    word_times = np.sort(rng.uniform(0, 300, 800))
    values = rng.standard_normal((800, 2))
    grid, keep = ds003020_feature_grid(170)
    np.testing.assert_allclose(
        resample_story(values, word_times, 170), lanczos_resample(values, word_times, grid, 2.0)[keep], rtol=1e-6
    )


def test_too_short_story_is_an_input_error():
    with pytest.raises(InputError, match="respdict.json"):
        ds003020_tr_times(20)


def test_movie_grid_is_tr_midpoints():
    np.testing.assert_allclose(movie_tr_times(4, 2.0), [1.0, 3.0, 5.0, 7.0])
    frame_times = np.arange(0, 60, 1.0)
    out = resample_movie_run(np.ones((60, 1)), frame_times, 30, 2.0)
    assert out.shape == (30, 1)
