"""Vision features: sampled movie frames and image files.

Frames (method.md step 1): a run's frames are sampled at the target rate
(:func:`sample_frame_indices`), read a batch at a time from any array-like
``(n_frames, H, W, 3)`` uint8 store (an h5py Dataset is never loaded whole),
preprocessed by the model's image preprocessor, and embedded at every vision
layer. Per frame and layer the CLS token is kept (``pooling="cls"``) or the
mean of the patch tokens (``pooling="mean"``); SigLIP's vision tower has no
CLS token, so both give the mean of its patch tokens. For BridgeTower the
cross-modal image layers see an empty caption ``<s></s>`` whose text-tower
output is computed once (:mod:`crossmodal.features.forward`).

Frame ``i`` is shown at ``i / source_fps`` seconds from the run start, which
is the event time used for resampling (:func:`frame_times`).
"""

from __future__ import annotations

import math
import os
from typing import Iterable, Sequence

import numpy as np
import torch
from tqdm.auto import tqdm

from crossmodal.errors import InputError
from crossmodal.features.forward import vision_hidden_states
from crossmodal.features.models import FeatureModel

POOLINGS = ("cls", "mean")


def sample_frame_indices(n_frames: int, source_fps: float, target_fps: float) -> np.ndarray:
    """Indices of the frames sampled at ``target_fps`` from a ``source_fps`` movie.

    Sample ``k`` is the frame on screen at ``k / target_fps`` seconds:
    ``floor(k * source_fps / target_fps)``, for every ``k`` whose time falls
    inside the movie.

    Parameters
    ----------
    n_frames : int
    source_fps : float
        The movie's own frame rate (15 in the short-clips data).
    target_fps : float
        ``features.vision.frames_per_second``; at most ``source_fps``.

    Returns
    -------
    frame_indices : int64 array of shape (n_samples,), strictly increasing
    """
    if not (source_fps > 0 and target_fps > 0):
        raise InputError(
            "features.vision.frames_per_second", f"source {source_fps} / target {target_fps} fps", "use rates > 0"
        )
    if target_fps > source_fps:
        raise InputError(
            "features.vision.frames_per_second",
            f"is {target_fps}, above the movie's own rate of {source_fps} fps",
            f"use at most {source_fps}",
        )
    step = source_fps / target_fps
    n_samples = int(math.floor((n_frames - 1) / step + 1e-9)) + 1 if n_frames > 0 else 0
    return np.floor(np.arange(n_samples) * step + 1e-9).astype(np.int64)


def frame_times(frame_indices: np.ndarray, source_fps: float) -> np.ndarray:
    """Onset of each frame, seconds from the run start: ``index / source_fps``.

    Returns
    -------
    times : float64 array of shape (n_samples,)
    """
    return np.asarray(frame_indices, dtype=np.float64) / float(source_fps)


def validate_frames(frames, source: str = "frames") -> None:
    """Check that ``frames`` is a uint8 array-like of shape (n, H, W, 3).

    Raises
    ------
    InputError
        Naming ``source`` and what is wrong.
    """
    shape, dtype = getattr(frames, "shape", None), getattr(frames, "dtype", None)
    if shape is None or dtype is None:
        raise InputError(source, f"is a {type(frames).__name__}, not an array of frames", "store frames as an (n, H, W, 3) uint8 array")
    if len(shape) != 4 or shape[-1] != 3:
        raise InputError(source, f"has shape {tuple(shape)}, not (n_frames, height, width, 3)", "store RGB frames as (n, H, W, 3)")
    if np.dtype(dtype) != np.uint8:
        raise InputError(source, f"has dtype {np.dtype(dtype)}, not uint8", "store frames as uint8 RGB (0-255)")


def _pool_vision(states: list[torch.Tensor], pooling: str, cls_token: bool = True) -> torch.Tensor:
    """(n_layers, batch, dim): token 0 (CLS) or the mean of tokens 1: (patches).

    Without a CLS token (``cls_token=False``, SigLIP) every token is a patch
    and both poolings give the mean of all tokens.
    """
    stacked = torch.stack(states)  # (n_layers, batch, tokens, dim)
    if not cls_token:
        return stacked.mean(dim=2)
    return stacked[:, :, 0] if pooling == "cls" else stacked[:, :, 1:].mean(dim=2)


def preprocess(model: FeatureModel, images) -> torch.Tensor:
    """Pixel tensor (n, 3, S, S) on the model's device.

    ``images`` is a uint8 array (n, H, W, 3), preprocessed at once, or a list
    of uint8 (H, W, 3) arrays, possibly of different sizes, each preprocessed
    on its own (same pixels as one image at a time).
    """
    if isinstance(images, np.ndarray):
        pixels = model.image_preprocessor(images)
    elif len({image.shape for image in images}) == 1:
        pixels = model.image_preprocessor(np.stack(images))
    else:
        pixels = torch.cat([model.image_preprocessor(image[None]) for image in images])
    return pixels.to(model.device)


def encode_images(
    model: FeatureModel,
    read_batch,
    n_images: int,
    pooling: str = "cls",
    batch_size: int = 32,
    progress: bool = False,
    desc: str = "images",
) -> np.ndarray:
    """Features of images read batch by batch, every vision layer.

    Parameters
    ----------
    model : FeatureModel
    read_batch : callable
        ``read_batch(start, stop)`` -> uint8 array (stop - start, H, W, 3) or
        list of uint8 (H, W, 3) arrays.
    n_images : int
    pooling : {"cls", "mean"}
    batch_size : int

    Returns
    -------
    features : float32 array of shape (n_layers, n_images, dim)
    """
    if pooling not in POOLINGS:
        raise InputError("features.vision.pooling", f"is {pooling!r}", f"use one of {', '.join(POOLINGS)}")
    if batch_size < 1:
        raise InputError("features.vision.batch_size", f"is {batch_size}", "use 1 or more")
    layer_names = model.layer_names("vision")
    features = np.empty((len(layer_names), n_images, model.dim_of("vision")), dtype=np.float32)
    with torch.inference_mode(), tqdm(total=n_images, desc=desc, unit="image", disable=not progress) as bar:
        for start in range(0, n_images, batch_size):
            stop = min(start + batch_size, n_images)
            pixels = preprocess(model, read_batch(start, stop))
            pooled = _pool_vision(vision_hidden_states(model, pixels), pooling, model.has_cls_token)
            features[:, start:stop] = pooled.float().cpu().numpy()
            bar.update(stop - start)
    return features


def extract_frame_features(
    model: FeatureModel,
    frames,
    frame_indices: Sequence[int],
    pooling: str = "cls",
    batch_size: int = 32,
    progress: bool = False,
    source: str = "frames",
) -> np.ndarray:
    """Per-frame features of the sampled frames of a run, every vision layer.

    Parameters
    ----------
    model : FeatureModel
        A model with the ``"vision"`` modality.
    frames : array-like of shape (n_frames, H, W, 3), uint8
        numpy array or h5py Dataset; only ``frames[frame_indices]`` is read,
        ``batch_size`` frames at a time.
    frame_indices : sequence of int, length n_samples
        From :func:`sample_frame_indices`.
    pooling : {"cls", "mean"}
        CLS token or mean of the patch tokens (``features.vision.pooling``).
    batch_size : int
    progress : bool
    source : str
        Name of the frames' file, used in error messages.

    Returns
    -------
    features : float32 array of shape (n_layers, n_samples, dim)
        Layers in ``model.layer_names("vision")`` order.
    """
    model._check_modality("vision")
    validate_frames(frames, source)
    indices = np.asarray(frame_indices, dtype=np.int64)
    if indices.ndim != 1 or len(indices) == 0:
        raise InputError(source, "no frames were sampled", "check the frame rate and the number of frames")
    if indices.min() < 0 or indices.max() >= frames.shape[0]:
        raise InputError(
            source,
            f"frame index {int(indices.max())} is out of range for {frames.shape[0]} frames",
            "sample indices with sample_frame_indices(n_frames, ...)",
        )

    def read_batch(start: int, stop: int) -> np.ndarray:
        return np.stack([np.asarray(frames[int(index)]) for index in indices[start:stop]])

    return encode_images(model, read_batch, len(indices), pooling, batch_size, progress, desc=f"frames ({model.name})")


def load_image(image, source: str | None = None) -> np.ndarray:
    """An image file path, PIL image or array as uint8 RGB (H, W, 3)."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(image, (str, os.PathLike)):
        try:
            with Image.open(image) as opened:
                return np.asarray(opened.convert("RGB"), dtype=np.uint8)
        except (OSError, UnidentifiedImageError) as error:
            raise InputError(image, f"cannot be read as an image ({error})", "check that the file is a JPEG/PNG image") from error
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("RGB"), dtype=np.uint8)
    array = np.asarray(image)
    if array.dtype != np.uint8 or array.ndim != 3 or array.shape[-1] != 3:
        raise InputError(source or "image", f"is a {array.dtype} array of shape {array.shape}", "pass uint8 RGB (H, W, 3) images")
    return array


def extract_image_features(
    model: FeatureModel,
    images: Iterable,
    pooling: str = "cls",
    batch_size: int = 32,
    progress: bool = False,
    source: str = "images",
) -> np.ndarray:
    """Per-image features of image files (Flickr30K JPEGs), every vision layer.

    Parameters
    ----------
    model : FeatureModel
        A model with the ``"vision"`` modality.
    images : sequence of paths, PIL images or uint8 (H, W, 3) arrays, length n
        Read ``batch_size`` at a time; images of different sizes are fine
        (each is preprocessed on its own).
    pooling : {"cls", "mean"}
    batch_size : int
    progress : bool
    source : str
        Name used in error messages.

    Returns
    -------
    features : float32 array of shape (n_layers, n_images, dim)
    """
    model._check_modality("vision")
    images = list(images)
    if not images:
        raise InputError(source, "has no images", "check the pairs dataset and split")

    def read_batch(start: int, stop: int) -> list[np.ndarray]:
        return [load_image(image, source) for image in images[start:stop]]

    return encode_images(model, read_batch, len(images), pooling, batch_size, progress, desc=f"images ({model.name})")
