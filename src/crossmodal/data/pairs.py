"""Image-caption pairs in the Flickr30K Karpathy layout.

::

    <root>/dataset_flickr30k.json     {"images": [{"filename", "imgid", "split", "sentences": [{"raw", ...}]}]}
    <root>/flickr30k-images/<filename>
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from crossmodal.data.annex import require_content
from crossmodal.data.hdf5 import read_json
from crossmodal.data.types import PairData
from crossmodal.errors import InputError

KARPATHY_JSON = "dataset_flickr30k.json"
IMAGE_FOLDER = "flickr30k-images"


def load_karpathy_pairs(root: str | Path, check_images: bool = True) -> PairData:
    """Load the image-caption pairs of the Karpathy split.

    Parameters
    ----------
    root : str or Path
        Folder holding ``dataset_flickr30k.json`` and ``flickr30k-images/``.
    check_images : bool
        Check that every image file exists.

    Returns
    -------
    PairData
    """
    root = Path(root)
    path = root / KARPATHY_JSON
    fix = "download the Karpathy split JSON (dataset_flickr30k.json) into data.pairs.root"
    content = read_json(path, fix)
    try:
        entries = content["images"]
        image_paths = [root / IMAGE_FOLDER / e["filename"] for e in entries]
        image_ids = np.array([int(e["imgid"]) for e in entries])
        splits = np.array([str(e["split"]) for e in entries])
        captions, caption_image, caption_words = [], [], []
        for index, entry in enumerate(entries):
            for sentence in entry["sentences"]:
                captions.append(str(sentence["raw"]).strip())
                caption_words.append(_caption_words(sentence))
                caption_image.append(index)
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(path, f"is not in the Karpathy format (missing or bad field {error})", fix) from None
    if check_images:
        for image_path in image_paths:
            require_content(image_path)
        missing = [p for p in image_paths if not p.is_file()]
        if missing:
            raise InputError(missing[0], f"image not found ({len(missing)} of {len(image_paths)} missing)", f"put the Flickr30K images in {root / IMAGE_FOLDER}")
    return PairData(image_paths, image_ids, splits, captions, np.array(caption_image, dtype=int), caption_words)


def _caption_words(sentence: dict) -> list[str]:
    """The words of a caption: its Karpathy ``tokens`` (lower case, no punctuation), else the words of ``raw``."""
    tokens = sentence.get("tokens")
    if isinstance(tokens, list) and tokens:
        return [str(token) for token in tokens if str(token).strip()]
    return re.findall(r"[\w']+", str(sentence["raw"]).lower())
