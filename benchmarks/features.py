"""Benchmark: batched feature extraction vs one forward pass per word / frame.

Not a test. Run ``python benchmarks/features.py`` (a few minutes on 2 CPU
cores). Two models, both randomly initialised (no download):

- ``tiny``: the ``tiny-bridgetower`` of the default workflow;
- ``base``: a BridgeTower-Base-sized model, ``BridgeTowerConfig()`` defaults
  (12 text + 12 vision layers of width 768, 6 cross-modal layers, 288 px
  images = 325 image tokens), with the tiny tokenizer and a resize +
  normalise preprocessor (the real processor needs the checkpoint).

For each, words/s and frames/s of

- ``batched``: :func:`extract_word_features` / :func:`extract_frame_features`
  (batched windows, partner stream computed once),
- ``one-at-a-time``: one ``BridgeTowerModel.forward`` per word window (with
  the grey image) or per frame (with the empty caption): the naive loop,
- ``cached, batch 1``: the library with ``batch_size=1`` (partner cached,
  no batching), to separate the two effects.

The speedups are batched / one-at-a-time. Timings are the best of 3 runs for
the tiny model and of 1 for the base-sized one (other load on the machine
only ever slows a run down).

Floating-point work is counted with ``torch.utils.flop_counter`` (matrix
products and attention) per word / frame for the naive loop and the batched
path, and printed with the rate each achieved (GFLOP/s). A speedup is the
product of two factors: the work ratio (naive / batched FLOPs: what caching
the partner saves) and the efficiency ratio (batched / naive GFLOP/s: what
batching gains on this hardware). Printing both shows which one limits.
The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch.utils.flop_counter import FlopCounterMode

from crossmodal.features.forward import grey_image
from crossmodal.features.models import FeatureModel, ImagePreprocessor, _prepare, _tiny_tokenizer, load_feature_model
from crossmodal.features.text import context_windows, encode_token_sequences, extract_word_features, token_sequences
from crossmodal.features.tokenizer import TextTokenizer
from crossmodal.features.vision import extract_frame_features

VOCABULARY = (
    "the a and of to in was he she it they we i you that this with on for at by from but not "
    "kitchen window garden river mountain forest city street house door table chair book letter "
    "walked talked looked remembered wondered carried opened closed laughed whispered suddenly "
    "quietly afterwards grandmother photographer neighbourhood extraordinary unbelievable"
).split()


def story_words(n_words: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return [VOCABULARY[i] for i in rng.integers(0, len(VOCABULARY), n_words)]


def movie_frames(n_frames: int, size: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n_frames, size, size, 3), dtype=np.uint8)


def base_sized_model(seed: int = 0) -> FeatureModel:
    """Random BridgeTower with the default (Base) config; tiny tokenizer, simple preprocessor."""
    from transformers import BridgeTowerConfig, BridgeTowerModel

    torch.manual_seed(seed)
    config = BridgeTowerConfig()
    network = _prepare(BridgeTowerModel(config), "bridgetower", torch.device("cpu"))
    image_size = int(config.vision_config.image_size)
    return FeatureModel(
        name="bridgetower-base-sized (random init)",
        checkpoint=None,
        architecture="bridgetower",
        network=network,
        device=torch.device("cpu"),
        tokenizer=TextTokenizer.from_tokenizers(_tiny_tokenizer()),
        image_preprocessor=ImagePreprocessor(image_size, (0.481, 0.458, 0.408), (0.269, 0.261, 0.276)),
        image_size=image_size,
    )


def timed(function, *args, repeats: int = 1, **kwargs) -> float:
    """Best wall time of ``repeats`` calls (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best


def flops_per_item(function, n_items: int, *args, **kwargs) -> float:
    """Floating-point operations per item of one call (matrix products and attention)."""
    with FlopCounterMode(display=False) as counter:
        function(*args, **kwargs)
    return counter.get_total_flops() / n_items


def naive_words(model: FeatureModel, windows: list[str]) -> None:
    """One full BridgeTowerModel.forward per word window, grey image recomputed each time."""
    tokenizer = model.tokenizer
    pixels = model.image_preprocessor(grey_image(model))
    with torch.inference_mode():
        for window in windows:
            ids = torch.tensor([[tokenizer.bos_id, *tokenizer.encode([window])[0], tokenizer.eos_id]])
            model.network(input_ids=ids, pixel_values=pixels)


def naive_frames(model: FeatureModel, frames: np.ndarray) -> None:
    """One full BridgeTowerModel.forward per frame, empty caption recomputed each time."""
    ids = torch.tensor([[model.tokenizer.bos_id, model.tokenizer.eos_id]])
    with torch.inference_mode():
        for frame in frames:
            model.network(input_ids=ids, pixel_values=model.image_preprocessor(frame[None]))


def cached_batch_one(model: FeatureModel, windows: list[str]) -> None:
    """The library's path (partner cached) with one window per forward pass."""
    encode_token_sequences(model, token_sequences(model, windows, "benchmark"), batch_size=1)


def measure(model: FeatureModel, label: str, n_batched: int, n_naive: int, n_frames: int, n_frames_naive: int,
            frame_size: int, word_batch: int, frame_batch: int, context_words: int, repeats: int = 1) -> dict:
    words = story_words(n_batched)
    frames = movie_frames(n_frames, frame_size)
    # warm-up: caches, allocator, lazy imports
    extract_word_features(model, words[:8], context_words, batch_size=8)
    extract_frame_features(model, frames, [0, 1], batch_size=2)
    windows = context_windows(words, context_words)
    naive_words(model, windows[:2])
    # The one-at-a-time paths run on windows spread evenly over the story, so
    # they see the same mix of window lengths as the batched run over all words.
    sample = [windows[i] for i in np.linspace(0, n_batched - 1, n_naive).round().astype(int)]

    tokens = [len(model.tokenizer.encode([w])[0]) + 2 for w in windows]
    work = {  # FLOPs per word / frame, counted in separate (untimed) runs
        "words_batched": flops_per_item(extract_word_features, n_batched, model, words, context_words, batch_size=word_batch),
        "words_naive": flops_per_item(naive_words, n_naive, model, sample),
        "frames_batched": flops_per_item(extract_frame_features, frame_batch, model, frames, np.arange(frame_batch), batch_size=frame_batch),
        "frames_naive": flops_per_item(naive_frames, 2, model, frames[:2]),
    }
    seconds = {
        "words_batched": timed(extract_word_features, model, words, context_words, batch_size=word_batch, repeats=repeats),
        "words_naive": timed(naive_words, model, sample, repeats=repeats),
        "words_cached_b1": timed(cached_batch_one, model, sample, repeats=repeats),
        "frames_batched": timed(
            extract_frame_features, model, frames, np.arange(n_frames), batch_size=frame_batch, repeats=repeats
        ),
        "frames_naive": timed(naive_frames, model, frames[:n_frames_naive], repeats=repeats),
        "frames_cached_b1": timed(
            extract_frame_features, model, frames, np.arange(n_frames_naive), batch_size=1, repeats=repeats
        ),
    }
    rates = {
        "words_batched": n_batched / seconds["words_batched"],
        "words_naive": n_naive / seconds["words_naive"],
        "words_cached_b1": n_naive / seconds["words_cached_b1"],
        "frames_batched": n_frames / seconds["frames_batched"],
        "frames_naive": n_frames_naive / seconds["frames_naive"],
        "frames_cached_b1": n_frames_naive / seconds["frames_cached_b1"],
    }
    n_parameters = sum(parameter.numel() for parameter in model.network.parameters()) / 1e6
    print(f"\n[{label}] {model.name}: {n_parameters:.1f} M parameters, image {model.image_size} px, "
          f"{np.mean(tokens):.1f} tokens per {context_words}-word window on average; best of {repeats} run(s)")
    print(f"  words : batched (batch {word_batch}, {n_batched} words) {rates['words_batched']:9.1f} /s | "
          f"one forward per word ({n_naive}) {rates['words_naive']:8.1f} /s | "
          f"cached partner, batch 1 {rates['words_cached_b1']:8.1f} /s | "
          f"speedup {rates['words_batched'] / rates['words_naive']:.1f}x")
    print(f"  frames: batched (batch {frame_batch}, {n_frames} frames) {rates['frames_batched']:9.1f} /s | "
          f"one forward per frame ({n_frames_naive}) {rates['frames_naive']:8.1f} /s | "
          f"cached partner, batch 1 {rates['frames_cached_b1']:8.1f} /s | "
          f"speedup {rates['frames_batched'] / rates['frames_naive']:.1f}x")
    for kind in ("words", "frames"):
        batched, naive = f"{kind}_batched", f"{kind}_naive"
        rates[f"{kind}_work_ratio"] = work[naive] / work[batched]
        rates[f"{kind}_efficiency_ratio"] = (rates[batched] * work[batched]) / (rates[naive] * work[naive])
        print(f"  {kind:6s}: GFLOP per item naive {work[naive] / 1e9:.2f}, batched {work[batched] / 1e9:.2f} "
              f"(work ratio {rates[f'{kind}_work_ratio']:.2f}); GFLOP/s naive {rates[naive] * work[naive] / 1e9:.1f}, "
              f"batched {rates[batched] * work[batched] / 1e9:.1f} (efficiency ratio {rates[f'{kind}_efficiency_ratio']:.2f})")
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--base-words", type=int, default=64)
    parser.add_argument("--base-frames", type=int, default=24)
    parser.add_argument("--skip-base", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, CPU, {torch.get_num_threads()} thread(s)")

    tiny = measure(load_feature_model("tiny-bridgetower", device="cpu"), "tiny",
                   n_batched=2000, n_naive=300, n_frames=600, n_frames_naive=150, frame_size=64,
                   word_batch=64, frame_batch=32, context_words=20, repeats=3)
    line = f"features: batched_speedup_tiny={tiny['words_batched'] / tiny['words_naive']:.1f}"
    line += f" frames_speedup_tiny={tiny['frames_batched'] / tiny['frames_naive']:.1f}"
    if not args.skip_base:
        start = time.perf_counter()
        model = base_sized_model()
        print(f"\nbuilt the random BridgeTower-Base-sized model in {time.perf_counter() - start:.0f} s")
        base = measure(model, "base", n_batched=args.base_words, n_naive=max(4, args.base_words // 6),
                       n_frames=args.base_frames, n_frames_naive=max(4, args.base_frames // 4), frame_size=288,
                       word_batch=32, frame_batch=8, context_words=20)
        line += (f" batched_speedup_base={base['words_batched'] / base['words_naive']:.1f}"
                 f" frames_speedup_base={base['frames_batched'] / base['frames_naive']:.1f}"
                 f" words_per_s_base={base['words_batched']:.1f} frames_per_s_base={base['frames_batched']:.1f}"
                 f" work_ratio_words_base={base['words_work_ratio']:.2f}"
                 f" efficiency_ratio_words_base={base['words_efficiency_ratio']:.2f}")
    line += f" words_per_s_tiny={tiny['words_batched']:.0f} frames_per_s_tiny={tiny['frames_batched']:.0f}"
    print()
    print(line)


if __name__ == "__main__":
    main()
