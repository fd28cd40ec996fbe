"""Vision features: frame sampling, lazy reading, BridgeTower's empty-caption partner."""

import h5py
import numpy as np
import pytest
import torch
from PIL import Image

from crossmodal.errors import InputError
from crossmodal.features.forward import _partner_text, bridgetower_text_bridges, bridgetower_text_tower
from crossmodal.features.models import load_feature_model
from crossmodal.features.vision import (
    extract_frame_features,
    extract_image_features,
    frame_times,
    sample_frame_indices,
)

TOL = dict(rtol=1e-4, atol=1e-5)


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def frames():
    return np.random.default_rng(0).integers(0, 256, (40, 48, 40, 3), dtype=np.uint8)


class CountingFrames:
    """An array-like that records which frames were read and how many at once."""

    def __init__(self, array):
        self.array, self.shape, self.dtype, self.reads = array, array.shape, array.dtype, []

    def __getitem__(self, index):
        self.reads.append(index)
        return self.array[index]


def test_sample_frame_indices():
    indices = sample_frame_indices(9000, 15, 1)
    assert len(indices) == 600 and indices[1] == 15 and indices[-1] == 8985
    np.testing.assert_allclose(frame_times(indices, 15)[:3], [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(sample_frame_indices(10, 15, 2), [0, 7])  # 0 s, 0.5 s -> frame 7.5 -> 7
    np.testing.assert_array_equal(sample_frame_indices(5, 15, 15), np.arange(5))
    with pytest.raises(InputError, match="above the movie's own rate"):
        sample_frame_indices(10, 15, 30)


def test_bad_frames_name_their_source(bridgetower, frames):
    with pytest.raises(InputError, match=r"^train_03.hdf: has dtype float32, not uint8"):
        extract_frame_features(bridgetower, frames.astype(np.float32), [0], source="train_03.hdf")
    with pytest.raises(InputError, match=r"train_03.hdf: has shape \(40, 48, 40\)"):
        extract_frame_features(bridgetower, frames[..., 0], [0], source="train_03.hdf")
    with pytest.raises(InputError, match="out of range"):
        extract_frame_features(bridgetower, frames, [0, 40], source="train_03.hdf")
    with pytest.raises(InputError, match="has no vision modality"):
        extract_frame_features(load_feature_model("tiny-roberta"), frames, [0])


def test_only_sampled_frames_are_read(bridgetower, frames):
    counting = CountingFrames(frames)
    indices = sample_frame_indices(40, 15, 2)
    extract_frame_features(bridgetower, counting, indices, batch_size=2)
    assert sorted(counting.reads) == list(indices)  # one frame per read, only the sampled ones


def test_bridgetower_frames_match_the_full_forward(bridgetower, frames):
    """Cached empty-caption stream + split forward == BridgeTowerModel.forward with "<s></s>"."""
    for pooling in ("cls", "mean"):
        features = extract_frame_features(bridgetower, frames, [2, 5, 11], pooling=pooling)
        assert features.shape == (7, 3, 64) and features.dtype == np.float32
        with torch.no_grad():
            _, image_states, cross_states = bridgetower.network(
                input_ids=torch.tensor([[0, 2]]), pixel_values=bridgetower.image_preprocessor(frames[5:6])
            ).hidden_states
        if pooling == "cls":  # the tower's states are (tokens, batch, dim)
            expected = [state[0, 0] for state in image_states] + [image[0, 0] for _, image in cross_states]
        else:
            expected = [state[1:, 0].mean(0) for state in image_states] + [image[0, 1:].mean(0) for _, image in cross_states]
        np.testing.assert_allclose(features[:, 1], torch.stack(expected).numpy(), **TOL)


def test_empty_caption_partner_is_fixed_and_cached(bridgetower):
    cached, n_tokens = _partner_text(bridgetower)
    assert n_tokens == 2 and _partner_text(bridgetower)[0] is cached
    with torch.no_grad():
        ids = torch.tensor([[0, 2]])
        fresh = bridgetower_text_bridges(bridgetower.network, bridgetower_text_tower(bridgetower.network, ids, torch.ones_like(ids))[0])
    for a, b in zip(cached, fresh):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


@pytest.mark.parametrize("name", ["tiny-bridgetower", "tiny-vit"])
def test_batched_equals_one_at_a_time(name, frames):
    model = load_feature_model(name, device="cpu")
    indices = np.arange(0, 40, 3)
    np.testing.assert_allclose(
        extract_frame_features(model, frames, indices, batch_size=32),
        extract_frame_features(model, frames, indices, batch_size=1),
        **TOL,
    )


def test_vit_matches_the_forward(frames):
    vit = load_feature_model("tiny-vit", device="cpu")
    features = extract_frame_features(vit, frames, [7])
    with torch.no_grad():
        states = vit.network(pixel_values=vit.image_preprocessor(frames[7:8]), output_hidden_states=True).hidden_states
    np.testing.assert_allclose(features[:, 0], torch.stack([s[0, 0] for s in states]).numpy(), **TOL)


def test_frames_from_hdf5(tmp_path, bridgetower, frames):
    with h5py.File(tmp_path / "train_00.hdf", "w") as file:
        file.create_dataset("stimuli", data=frames, chunks=(1, 48, 40, 3))
    with h5py.File(tmp_path / "train_00.hdf") as file:
        from_disk = extract_frame_features(bridgetower, file["stimuli"], [0, 15, 30])
    np.testing.assert_array_equal(from_disk, extract_frame_features(bridgetower, frames, [0, 15, 30]))


def test_image_files_of_mixed_sizes(tmp_path, bridgetower, frames):
    paths = []
    for index, size in enumerate([(40, 48), (40, 48), (64, 30)]):
        array = np.random.default_rng(index).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
        paths.append(tmp_path / f"{index}.png")
        Image.fromarray(array).save(paths[-1])
    batched = extract_image_features(bridgetower, paths, batch_size=3)
    single = extract_image_features(bridgetower, paths, batch_size=1)
    assert batched.shape == (7, 3, 64)
    np.testing.assert_allclose(batched, single, **TOL)
    with pytest.raises(InputError, match="cannot be read as an image"):
        (tmp_path / "broken.jpg").write_text("not an image")
        extract_image_features(bridgetower, [tmp_path / "broken.jpg"])
