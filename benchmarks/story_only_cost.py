"""What the planted story-only concept costs the story encoding fit (a measurement, not a test).

Takes a finished run of the story-only variant (its story design of one model
set and subject, its synthetic ground truth), re-draws the story responses of the language and
multimodal voxels with the story-only weights scaled to a given standard
deviation (the simulator uses 4.0), optionally with fewer training stories,
fits the encoding ridge on the features' design and on the planted latents
(the oracle) and prints the fit's mean test r over those voxels as a fraction
of the oracle's: the ``story_fit_oracle_ratio`` of ``recovery.tsv`` under
other simulator settings, with the stimuli and features held fixed.

Run from the repository root after
``snakemake --cores 2 --configfile config/story_only.yaml --directory runs/story_only``::

    python benchmarks/story_only_cost.py [--run runs/story_only] [--configfile config/config.yaml config/story_only.yaml]
        [--model bridgetower] [--layer cross.1] [--subject UTS01]

The last line is machine-readable:

    story_only_cost: sd0_8=... sd2_8=... sd4_8=... sd0_4=... sd0_6=...
"""

from __future__ import annotations

import argparse
from pathlib import Path

import h5py
import numpy as np

import yaml
from snakemake.utils import update_config

from crossmodal.config import SCHEMA_PATH, validate_config
from crossmodal.data import load_modality
from crossmodal.encoding.ridge import fit_ridge_cv
from crossmodal.encoding.subject import EncodingSettings
from crossmodal.features.grid import load_design
from crossmodal.numerics import correlate_columns
from crossmodal.simulate.brain import STORY_ONLY_WEIGHT_SD, PlantedBrain, add_noise, voxel_signal
from crossmodal.simulate.oracle import RESPONSIVE_CLASSES, oracle_design


def story_responses(truth, names, test_names, brain, story_only_weights, n_shared, snr, repeats, seed):
    """Story responses of the chosen voxels, drawn as the simulator draws them (shared signal at the SNR, story-only
    signal on top in training stories, test noise averaged over repeats)."""
    signals, extras, scales = [], [], []
    for name in names:
        concepts, word_rate = truth[f"stories/{name}/concepts"][()], truth[f"stories/{name}/word_rate"][()]
        signals.append(voxel_signal(brain, concepts[:, :n_shared], word_rate, None))
        test = name in test_names
        extras.append(np.zeros((len(concepts), len(story_only_weights))) if test else concepts[:, n_shared:] @ story_only_weights.T)
        scales.append(1 / np.sqrt(repeats) if test else 1.0)
    return add_noise(signals, snr, scales, np.random.default_rng(seed), extra_runs=extras)


def oracle_ratio(design, oracle, responses, n_train_runs, n_stories, settings) -> float:
    """Mean test r of the feature fit over the oracle's, fitting on the first ``n_stories`` training stories."""
    train, test = np.vstack(responses[:n_train_runs]), np.vstack(responses[n_train_runs:])
    means = []
    for matrices in (design, oracle):
        keep = np.isin(matrices.train_run_ids, np.unique(matrices.train_run_ids)[:n_stories])
        fit = fit_ridge_cv(matrices.train_design[keep], train[keep], matrices.train_run_ids[keep], settings.alpha_grid, cv=settings.cv,
                           n_folds=settings.n_folds, chunk_len=settings.chunk_len, n_boots=settings.n_boots,
                           heldout_fraction=settings.heldout_fraction, seed=settings.seed)
        means.append(float(np.nanmean(correlate_columns(matrices.test_design @ fit.weights, test))))
    return means[0] / means[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", default="runs/story_only", help="working directory of a finished story-only run")
    parser.add_argument("--configfile", nargs="+", default=["config/config.yaml", "config/story_only.yaml"],
                        help="the config files of that run, merged in order as Snakemake merges them")
    parser.add_argument("--model", default="bridgetower")
    parser.add_argument("--layer", default="cross.1")
    parser.add_argument("--subject", default="UTS01")
    args = parser.parse_args()
    run = Path(args.run)
    config = {}
    for path in args.configfile:
        update_config(config, yaml.safe_load(Path(path).read_text()) or {})
    validate_config(config, SCHEMA_PATH, " + ".join(args.configfile))
    section = {**config["data"]["stories"], "root": str(run / config["data"]["stories"]["root"])}
    data = load_modality(section, "story", args.subject)
    settings = EncodingSettings.from_config(config["encoding"])
    design = load_design(run / f"results/{args.model}/{args.subject}/design/story_layer-{args.layer}.h5")
    truth_path = run / config["data"]["ground_truth"]
    oracle = oracle_design(truth_path, data, settings.delays)
    with h5py.File(truth_path, "r") as truth:
        voxel_class = truth["voxel_class"][()]
        chosen = np.isin(voxel_class, RESPONSIVE_CLASSES["story"])
        weights = truth["concept_weights"][()][chosen]
        n_shared = int(truth.attrs["n_concepts"])
        brain = PlantedBrain(voxel_class[chosen], weights[:, :n_shared], truth["word_rate_weights"][()][chosen],
                             truth["lowlevel_weights"][()][chosen])
        train_names, test_names = [r.name for r in data.train_runs], [r.name for r in data.test_runs]
        results = {}
        for sd, n_stories in ((0.0, 8), (2.0, 8), (4.0, 8), (0.0, 4), (0.0, 6)):
            story_only = weights[:, n_shared:] * (sd / STORY_ONLY_WEIGHT_SD)
            responses = story_responses(truth, train_names + test_names, set(test_names), brain, story_only, n_shared,
                                        float(truth.attrs["snr"]), int(truth.attrs["test_repeats"]), seed=0)
            results[f"sd{sd:g}_{n_stories}"] = oracle_ratio(design, oracle, responses, len(train_names), n_stories, settings)
            print(f"story-only weight SD {sd:g}, {n_stories} training stories: story fit / oracle = {results[f'sd{sd:g}_{n_stories}']:.3f}", flush=True)
    print("story_only_cost: " + " ".join(f"{key}={value:.3f}" for key, value in results.items()))


if __name__ == "__main__":
    main()
