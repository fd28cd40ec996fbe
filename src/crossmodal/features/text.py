"""Text features: per word of a story (causal context) and per caption.

Word features (method.md step 1): for word ``i`` the model reads
``" ".join(words[max(0, i - context_words) : i + 1])`` (the word and its
preceding context, never a later word), and the hidden state of the *last
token of word i*, i.e. the last token before ``</s>``, is kept at every
layer. For BridgeTower the cross-modal text layers see a uniform grey image
whose tower output is computed once (:mod:`crossmodal.features.forward`).

Captions are read like story words by default (:func:`extract_caption_features`):
every word of a caption is read with its preceding words *of the same
caption* (at most ``context_words``) and kept at its last token, and the
caption's vector is the mean of its words' vectors -- the same token and
context rule as story words, so the alignment maps are fitted on the kind of
vector they are applied to. (A story TR's features are a Lanczos-weighted
sum of such word vectors.) Whole-sentence readings remain available
(:func:`extract_sentence_features`): the last token of the sentence
(``pooling="last"``) or the mean of its tokens (``pooling="mean"``; special
and padding tokens excluded), in one bidirectional pass where every token
also sees later words.

Windows are tokenised in one call, sorted by length, batched with right
padding and an attention mask, and run without gradients on the model's
device; rows come back in the input order.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from tqdm.auto import tqdm

from crossmodal.errors import InputError
from crossmodal.features.forward import text_hidden_states
from crossmodal.features.models import FeatureModel

POOLINGS = ("last", "mean")
#: Captions read per chunk by :func:`extract_caption_features` (bounds the memory of the word vectors).
CAPTION_CHUNK = 2048


def context_windows(words: Sequence[str], context_words: int = 20) -> list[str]:
    """Causal context window of every word.

    Parameters
    ----------
    words : sequence of str, length n_words
    context_words : int
        Number of preceding words included (0: the word alone).

    Returns
    -------
    windows : list of str, length n_words
        ``windows[i] = " ".join(words[max(0, i - context_words) : i + 1])``.
    """
    if context_words < 0:
        raise InputError("features.text.context_words", f"is {context_words}, negative", "use 0 or more")
    return [" ".join(words[max(0, i - context_words) : i + 1]) for i in range(len(words))]


def token_sequences(model: FeatureModel, texts: list[str], source: str) -> list[list[int]]:
    """``<s> ids </s>`` of every text (``ids </s>`` without a start token), left-truncated to the model's length.

    Parameters
    ----------
    model : FeatureModel
    texts : list of str, length n
    source : str
        Name of the texts' origin, for the error on a text without tokens.

    Returns
    -------
    sequences : list of n lists of int
        Input of :func:`encode_token_sequences`.
    """
    tokenizer = model.tokenizer
    keep = model.max_text_tokens - tokenizer.n_special
    sequences = []
    for index, ids in enumerate(tokenizer.encode(texts)):
        if not ids:
            raise InputError(
                source,
                f"text {index} ({texts[index]!r}) has no tokens",
                "drop empty words / captions before extracting features",
            )
        sequences.append(tokenizer.wrap(ids[-keep:]))
    return sequences


def _pad(sequences: list[list[int]], pad_id: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad to the longest sequence: (input_ids, attention_mask), (batch, seq) long."""
    longest = max(len(sequence) for sequence in sequences)
    input_ids = torch.full((len(sequences), longest), pad_id, dtype=torch.long)
    attention_mask = torch.zeros((len(sequences), longest), dtype=torch.long)
    for row, sequence in enumerate(sequences):
        input_ids[row, : len(sequence)] = torch.tensor(sequence, dtype=torch.long)
        attention_mask[row, : len(sequence)] = 1
    return input_ids.to(device), attention_mask.to(device)


def _pool_text(states: list[torch.Tensor], lengths: torch.Tensor, pooling: str, first: int = 1) -> torch.Tensor:
    """(n_layers, batch, dim): token before ``</s>`` ("last") or mean of the real tokens ("mean").

    ``first`` is the position of the first text token (1 after ``<s>``, 0 without a start token).
    """
    stacked = torch.stack(states)  # (n_layers, batch, seq, dim)
    if pooling == "last":
        rows = torch.arange(stacked.shape[1], device=stacked.device)
        return stacked[:, rows, lengths - 2]
    positions = torch.arange(stacked.shape[2], device=stacked.device)
    inside = (positions[None, :] >= first) & (positions[None, :] < (lengths[:, None] - 1))  # drop <s>, </s>, padding
    weights = inside.to(stacked.dtype) / inside.sum(dim=1, keepdim=True).to(stacked.dtype)
    return torch.einsum("lbsd,bs->lbd", stacked, weights)


def encode_token_sequences(
    model: FeatureModel,
    sequences: list[list[int]],
    pooling: str = "last",
    batch_size: int = 64,
    progress: bool = False,
    desc: str = "text features",
) -> np.ndarray:
    """Features of token sequences (with ``<s>``/``</s>``), every text layer.

    Parameters
    ----------
    model : FeatureModel
    sequences : list of lists of int, length n
    pooling : {"last", "mean"}
    batch_size : int

    Returns
    -------
    features : float32 array of shape (n_layers, n, dim)
        ``n_layers = len(model.layer_names("text"))``. A sequence that occurs
        more than once is encoded once (captions' causal windows repeat often:
        about half of them in the synthetic pairs).
    """
    if pooling not in POOLINGS:
        raise InputError("features.text.pooling", f"is {pooling!r}", f"use one of {', '.join(POOLINGS)}")
    if batch_size < 1:
        raise InputError("features.text.batch_size", f"is {batch_size}", "use 1 or more")
    unique, occurrence = _unique_sequences(sequences)
    layer_names = model.layer_names("text")
    features = np.empty((len(layer_names), len(unique), model.dim_of("text")), dtype=np.float32)
    first = model.tokenizer.n_special - 1  # position of the first text token
    order = sorted(range(len(unique)), key=lambda index: -len(unique[index]))  # stable: ties keep first-occurrence order
    with torch.inference_mode(), tqdm(total=len(unique), desc=desc, unit="text", disable=not progress) as bar:
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            input_ids, attention_mask = _pad([unique[row] for row in rows], model.tokenizer.pad_id, model.device)
            states = text_hidden_states(model, input_ids, attention_mask)
            pooled = _pool_text(states, attention_mask.sum(dim=1), pooling, first)
            features[:, rows, :] = pooled.float().cpu().numpy()
            bar.update(len(rows))
    return features if len(unique) == len(sequences) else features[:, occurrence, :]


def _unique_sequences(sequences: list[list[int]]) -> tuple[list[list[int]], np.ndarray]:
    """The distinct sequences in order of first occurrence, and where each input sequence is among them.

    Returns
    -------
    unique : list of lists of int, length n_unique
    occurrence : int array of shape (n,)
        ``sequences[i] == unique[occurrence[i]]``.
    """
    position: dict[tuple[int, ...], int] = {}
    occurrence = np.array([position.setdefault(tuple(sequence), len(position)) for sequence in sequences], dtype=np.intp)
    return [list(sequence) for sequence in position], occurrence


def extract_word_features(
    model: FeatureModel,
    words: Sequence[str],
    context_words: int = 20,
    batch_size: int = 64,
    progress: bool = False,
    source: str = "words",
) -> np.ndarray:
    """Per-word features with a causal context window, every text layer.

    Parameters
    ----------
    model : FeatureModel
        A model with the ``"text"`` modality.
    words : sequence of str, length n_words
        The story's words in order (fillers already dropped).
    context_words : int
        Preceding words read with each word (``features.text.context_words``).
    batch_size : int
        Windows per forward pass.
    progress : bool
        Show a tqdm bar.
    source : str
        Name of the words' origin (a file), used in error messages.

    Returns
    -------
    features : float32 array of shape (n_layers, n_words, dim)
        ``features[l, i]`` = hidden state at layer ``model.layer_names("text")[l]``
        of the last token of word ``i`` in its window.
    """
    model._check_modality("text")
    words = [str(word).strip() for word in words]
    if not words:
        raise InputError(source, "has no words", "check the transcript and the filler list")
    empty = [index for index, word in enumerate(words) if not word]
    if empty:
        raise InputError(source, f"word {empty[0]} is empty ({len(empty)} empty words)", "drop empty words before extracting features")
    sequences = token_sequences(model, context_windows(words, context_words), source)
    return encode_token_sequences(model, sequences, "last", batch_size, progress, desc=f"words ({model.name})")


def extract_sentence_features(
    model: FeatureModel,
    sentences: Sequence[str],
    batch_size: int = 64,
    pooling: str = "last",
    progress: bool = False,
    source: str = "sentences",
) -> np.ndarray:
    """Per-sentence (caption) features, every text layer.

    Parameters
    ----------
    model : FeatureModel
        A model with the ``"text"`` modality.
    sentences : sequence of str, length n_sentences
    batch_size : int
    pooling : {"last", "mean"}
        ``"last"``: the token before ``</s>`` (as for words); ``"mean"``: the
        mean over the sentence's tokens.
    progress : bool
    source : str
        Name used in error messages.

    Returns
    -------
    features : float32 array of shape (n_layers, n_sentences, dim)
    """
    model._check_modality("text")
    sentences = [" ".join(str(sentence).split()) for sentence in sentences]
    if not sentences:
        raise InputError(source, "has no sentences", "check the captions file")
    sequences = token_sequences(model, sentences, source)
    return encode_token_sequences(model, sequences, pooling, batch_size, progress, desc=f"sentences ({model.name})")


def extract_caption_features(
    model: FeatureModel,
    captions: Sequence[Sequence[str]],
    context_words: int = 20,
    batch_size: int = 64,
    progress: bool = False,
    source: str = "captions",
) -> np.ndarray:
    """Caption features read like story words: each word with its causal context, averaged over the caption.

    Parameters
    ----------
    model : FeatureModel
        A model with the ``"text"`` modality.
    captions : sequence of sequences of str, length n_captions
        The words of every caption.
    context_words : int
        Preceding words of the same caption read with each word.
    batch_size : int
        Windows per forward pass (all captions' windows are batched together).
    progress : bool
    source : str
        Name used in error messages.

    Returns
    -------
    features : float32 array of shape (n_layers, n_captions, dim)
        ``features[l, c]`` is the mean over the words ``i`` of caption ``c``
        of :func:`extract_word_features` of that caption's words.
    """
    model._check_modality("text")
    captions = [[str(word).strip() for word in caption if str(word).strip()] for caption in captions]
    if not captions:
        raise InputError(source, "has no captions", "check the captions file")
    empty = [index for index, words in enumerate(captions) if not words]
    if empty:
        raise InputError(source, f"caption {empty[0]} has no words ({len(empty)} captions without words)", "drop empty captions")
    features = np.empty((len(model.layer_names("text")), len(captions), model.dim_of("text")), dtype=np.float32)
    with tqdm(total=len(captions), desc=f"captions ({model.name})", unit="caption", disable=not progress) as bar:
        for start in range(0, len(captions), CAPTION_CHUNK):  # bounded memory: the word vectors of one chunk at a time
            chunk = captions[start : start + CAPTION_CHUNK]
            windows = [window for words in chunk for window in context_windows(words, context_words)]
            lengths = np.array([len(words) for words in chunk])  # every caption's words are consecutive rows
            per_word = encode_token_sequences(model, token_sequences(model, windows, source), "last", batch_size)
            sums = np.add.reduceat(per_word.astype(np.float64), np.r_[0, np.cumsum(lengths)[:-1]], axis=1)
            features[:, start : start + len(chunk)] = sums / lengths[None, :, None]
            bar.update(len(chunk))
    return features
