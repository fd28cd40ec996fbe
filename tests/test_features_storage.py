"""HDF5 feature files."""

import h5py
import numpy as np
import pytest

from crossmodal.errors import InputError
from crossmodal.features.storage import (
    read_attrs,
    read_frame_indices,
    read_layer,
    read_layer_names,
    read_times,
    read_words,
    write_feature_file,
)


def test_roundtrip_text(tmp_path):
    features = np.random.default_rng(0).standard_normal((3, 5, 4))
    path = write_feature_file(
        tmp_path / "sub" / "story.h5",
        features,
        np.arange(5) * 0.4,
        ["text.0", "text.1", "cross_text.0"],
        "tiny-bridgetower",
        None,
        words=["a", "b", "c", "d", "é"],
        attrs={"context_words": 20},
    )
    assert read_layer_names(path) == ["text.0", "text.1", "cross_text.0"]
    layer = read_layer(path, "text.1")
    assert layer.dtype == np.float32 and layer.shape == (5, 4)
    np.testing.assert_allclose(layer, features[1], rtol=1e-6)
    np.testing.assert_allclose(read_times(path), np.arange(5) * 0.4)
    assert read_words(path)[-1] == "é"
    attrs = read_attrs(path)
    assert attrs["model_name"] == "tiny-bridgetower" and attrs["checkpoint"] == "" and attrs["context_words"] == 20
    with h5py.File(path) as file:
        assert file["features"].chunks == (1, 5, 4)  # one layer per chunk: a layer read touches only its chunk
    assert [p.name for p in path.parent.iterdir()] == ["story.h5"]  # no temporary left behind


def test_roundtrip_frames(tmp_path):
    path = write_feature_file(
        tmp_path / "run.h5", np.zeros((2, 3, 4)), np.arange(3.0), ["vision.0", "vision.1"], "tiny-vit", None,
        frame_indices=np.array([0, 15, 30]),
    )
    np.testing.assert_array_equal(read_frame_indices(path), [0, 15, 30])
    with pytest.raises(InputError, match="not a text feature file"):
        read_words(path)


def test_missing_layer_names_the_available_ones(tmp_path):
    path = write_feature_file(tmp_path / "f.h5", np.zeros((1, 2, 3)), np.zeros(2), ["text.0"], "m", "ckpt")
    with pytest.raises(InputError, match=r"has no layer 'text.9' \(it has text.0\)"):
        read_layer(path, "text.9")


def test_mismatched_shapes_write_nothing(tmp_path):
    with pytest.raises(ValueError):
        write_feature_file(tmp_path / "f.h5", np.zeros((2, 3, 4)), np.zeros(4), ["a", "b"], "m", None)
    assert not any(tmp_path.iterdir())
