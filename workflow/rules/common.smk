# Helpers shared by the rules: config validation and input functions.

import os
import sys
from pathlib import Path
from types import SimpleNamespace

# The library, importable here even where it is not installed. Scripts find it
# through workflow/scripts/crossmodal, a link to src/crossmodal (Snakemake puts
# the scripts folder on their sys.path), so conda envs and cluster jobs need no install.
sys.path.insert(0, str(Path(workflow.basedir) / "src"))

from crossmodal.config import validate_config
from crossmodal.errors import InputError

_config_sources = ", ".join(os.path.relpath(p) for p in workflow.configfiles) or "config"
try:
    validate_config(config, workflow.source_path("../schemas/config.schema.yaml"), _config_sources)
except InputError as error:
    sys.exit(f"Config error: {error}")

SUBJECTS = list(config["subjects"])
SYNTHETIC = config["simulate"]["enabled"]
if SYNTHETIC:
    from crossmodal.simulate import check_synthetic_roots

    try:
        check_synthetic_roots(config["simulate"]["root"], {f"data.{name}.root": config["data"][name]["root"] for name in ("stories", "movies", "pairs")})
    except InputError as error:
        sys.exit(f"Config error: {_config_sources}: {error}")


wildcard_constraints:
    subject="|".join(SUBJECTS),
    modality="story|movie",
    split="train|val|test",
    kind="captions|images",
    layer=r"(cross|tower)\.\d+",


def simulate_outputs():
    """Files the simulate rule writes (one per dataset), used as inputs downstream."""
    root = config["simulate"]["root"]
    return {
        "respdict": f"{config['data']['stories']['root']}/derivative/respdict.json",
        "movie_responses": expand(f"{config['data']['movies']['root']}/responses/{{subject}}_responses.hdf", subject=SUBJECTS),
        "pairs": f"{config['data']['pairs']['root']}/dataset_flickr30k.json",
        "ground_truth": f"{root}/ground_truth.h5",
    }


def simulation_settings():
    """The simulate section without `enabled` (the params of the simulate rule, all that changes the synthetic data)."""
    return {key: value for key, value in config["simulate"].items() if key != "enabled"}


def dataset_inputs(wildcards=None):
    """The synthetic dataset when it is simulated; nothing for real data (the loaders check those)."""
    if not SYNTHETIC:
        return []
    outputs = simulate_outputs()
    return [outputs["respdict"], *outputs["movie_responses"], outputs["pairs"]]


MODALITIES = ("story", "movie")
MODELS = {name: settings for name, settings in config["models"].items() if settings.get("enabled", True)}
# The multimodal-vs-unimodal comparison runs when both of its model sets are enabled.
COMPARE = all(config["compare"][side] in MODELS for side in ("multimodal", "unimodal"))


def regions_params():
    """What the region maps need (crossmodal.transfer.regions.region_map_from_config)."""
    return dict(
        space=config["data"]["space"],
        stories_root=config["data"]["stories"]["root"],
        primary_visual_rois=list(config["data"]["regions"]["primary_visual_rois"]),
        primary_auditory_rois=list(config["data"]["regions"]["primary_auditory_rois"]),
        fsaverage5=resource("regions"),
    )


def resource(name):
    """A resource file the config names (`regions`: data.regions.fsaverage5; `lexicon`: simulate.lexicon), found in the repository."""
    from crossmodal.config import resource_path

    key = config["data"]["regions"]["fsaverage5"] if name == "regions" else config["simulate"]["lexicon"]
    return str(resource_path(key))


def data_section(modality):
    """The data config section of a modality."""
    return config["data"]["stories" if modality == "story" else "movies"]


def movie_subject(subject):
    """The movie dataset's name of a (story) subject: data.movies.subjects, else the same name."""
    from crossmodal.data.runs import dataset_subject

    return dataset_subject(config["data"]["movies"], subject)


def _available_runs(subject, modality):
    """Every run a subject has: listed on disk for real data, planned by the simulator for synthetic data."""
    from crossmodal.data.runs import listed_runs

    if not SYNTHETIC:
        try:
            return listed_runs(data_section(modality), modality, subject)
        except InputError as error:
            sys.exit(f"Data error: {error}")
    from crossmodal.simulate import SimulationSettings, movie_run_names, story_names

    settings = SimulationSettings.from_config(config["simulate"]).resolved()
    if modality == "story":
        return story_names(settings.n_train_stories)
    return movie_run_names(settings.n_train_movie_runs)


_RUNS = {}


def subject_runs(subject, modality):
    """(train run names, test run names) of a subject, by the rule the loaders use (crossmodal.data.runs.split_runs)."""
    from crossmodal.data.runs import split_runs

    key = (subject, modality)
    if key not in _RUNS:
        _RUNS[key] = split_runs(data_section(modality), modality, _available_runs(subject, modality))
    return _RUNS[key]


def planned_runs():
    """The run lists the DAG was built with: {subject: {modality: [train runs, test runs]}}."""
    return {subject: {modality: [list(names) for names in subject_runs(subject, modality)] for modality in MODALITIES} for subject in SUBJECTS}


def all_runs(modality):
    """Every run name of a modality over all subjects (stimuli are shared)."""
    names = []
    for subject in SUBJECTS:
        train, test = subject_runs(subject, modality)
        names += [n for n in train + test if n not in names]
    return names


def text_feature_key(model):
    """Where a model set's text features live: its text model's registry name, plus the word noise if any (crossmodal.features.noise)."""
    from crossmodal.features.noise import feature_key

    settings = MODELS[model]
    return feature_key(settings["text_model"], settings["word_noise"], settings["word_noise_seed"])


def feature_model(model, modality):
    """The feature key a model set uses for a modality (registry name; text features may carry word noise)."""
    return text_feature_key(model) if modality == "story" else MODELS[model]["vision_model"]


def feature_file(model, modality, run):
    return f"results/features/{feature_model(model, modality)}/{modality}/{run}.h5"


def design_features(wildcards):
    """Feature files of every run of the subject, for build_design."""
    train, test = subject_runs(wildcards.subject, wildcards.modality)
    return [feature_file(wildcards.model, wildcards.modality, run) for run in train + test]


def extraction_targets():
    """Every feature file the configured models need (stories, movies, pairs)."""
    targets = []
    for model in MODELS:
        for modality in MODALITIES:
            targets += [feature_file(model, modality, run) for run in all_runs(modality)]
        targets += [pair_features(model, split, kind) for split in PAIR_SPLITS for kind in ("captions", "images")]
    return sorted(set(targets))


def encoding_targets(suffix=".h5"):
    """Every fitted encoding model (one per model, subject, modality, layer)."""
    return [
        f"results/{model}/{subject}/encoding/{modality}_layer-{layer}{suffix}"
        for model in MODELS
        for subject in SUBJECTS
        for modality in MODALITIES
        for layer in MODELS[model]["layers"]
    ]


def model_checkpoint(name):
    """The checkpoint of a feature model name: features.checkpoints for a registered name (None: its default),
    features.text_encoders for a Hugging Face text encoder named in the config."""
    return config["features"]["checkpoints"].get(name) or config["features"]["text_encoders"].get(name)


PAIR_SPLITS = ("train", "test")


def stimulus_source(modality):
    """What identifies the stimuli of a modality (layout, root and, for short clips, the frame rate): feature-rule params."""
    section = data_section(modality)
    keys = ("layout", "root", "fps") if section["layout"] == "shortclips" else ("layout", "root")
    return {key: section[key] for key in keys}


def text_reading():
    """The settings that change story-word features (not device or batch size, which change numbers only by float32 rounding)."""
    return {"context_words": config["features"]["text"]["context_words"], "seed": config["features"]["seed"]}


def frame_reading():
    """The settings that change frame features."""
    vision = config["features"]["vision"]
    return {"frames_per_second": vision["frames_per_second"], "pooling": vision["pooling"], "seed": config["features"]["seed"]}


def pair_reading(wildcards):
    """The settings that change caption features (captions) or image features (images)."""
    if wildcards.kind == "images":
        return {"pooling": config["features"]["vision"]["pooling"], "seed": config["features"]["seed"]}
    pooling = config["features"]["text"]["caption_pooling"]
    reading = {"caption_pooling": pooling, "seed": config["features"]["seed"]}
    if pooling == "words":
        reading["context_words"] = config["features"]["text"]["context_words"]
    return reading


def checkpoint_of(wildcards):
    """Checkpoint of the rule's feature model ('' for the registry default)."""
    from crossmodal.features.noise import parse_feature_key

    return model_checkpoint(parse_feature_key(wildcards.feature_model)[0]) or ""


def feature_gpus(wildcards):
    """GPUs a feature-extraction job asks for: 1 when features.device is cuda."""
    return 1 if config["features"]["device"] == "cuda" else 0


def section_of(wildcards):
    """The data config section of the rule's modality."""
    return data_section(wildcards.modality)


def feature_model_of(wildcards):
    """The registry name of the feature model of the rule's model set and modality."""
    return feature_model(wildcards.model, wildcards.modality)


#: Encoding keys that change how a fit runs, not its numbers (scripts read them from the config, not from params).
ENCODING_EXECUTION = ("backend", "device", "voxel_batch", "voxel_chunks")


def encoding_model():
    """The encoding settings that change a fit's numbers: params of the fitting rules."""
    return {key: value for key, value in config["encoding"].items() if key not in ENCODING_EXECUTION}


def encoding_gpus(wildcards):
    """GPUs a fit asks for: 1 with the torch backend on cuda."""
    settings = config["encoding"]
    return 1 if settings["backend"] == "torch" and settings["device"] == "cuda" else 0


def encoding_chunks(wildcards):
    """The chunk files gather_encoding concatenates."""
    return [
        f"results/{wildcards.model}/{wildcards.subject}/encoding/chunks/{wildcards.modality}_layer-{wildcards.layer}_chunk-{chunk}.h5"
        for chunk in range(config["encoding"]["voxel_chunks"])
    ]


def pair_features(model, split, kind):
    """Pair feature file of a model set: captions by its text model, images by its vision model."""
    name = text_feature_key(model) if kind == "captions" else MODELS[model]["vision_model"]
    return f"results/features/{name}/pairs/{split}_{kind}.h5"


def transfer_inputs(wildcards):
    """Fits, designs, feature files and (for linear alignment) maps that score_transfer reads."""
    model, subject, layer = wildcards.model, wildcards.subject, wildcards.layer
    inputs = {
        f"{modality}_{kind}": f"results/{model}/{subject}/{kind}/{modality}_layer-{layer}.h5"
        for modality in MODALITIES
        for kind in ("encoding", "design")
    }
    for modality in MODALITIES:
        train, test = subject_runs(subject, modality)
        inputs[f"{modality}_features"] = [feature_file(model, modality, run) for run in train + test]
    if "linear" in MODELS[model]["alignment"]:
        inputs["maps"] = f"results/{model}/alignment/layer-{layer}.h5"
    inputs["data"] = dataset_inputs()
    inputs["ceilings"] = "results/data/noise_ceilings.h5"
    return inputs


def transfer_targets(suffix=".h5"):
    """Every transfer score file (one per model, subject, layer)."""
    return [
        f"results/{model}/{subject}/transfer/layer-{layer}{suffix}"
        for model in MODELS
        for subject in SUBJECTS
        for layer in MODELS[model]["layers"]
    ]


def pair_input(split, kind):
    """Input function: the pair feature file of the rule's model set."""

    def pair_file(wildcards):
        return pair_features(wildcards.model, split, kind)

    return pair_file


def alignments_of(wildcards):
    """The alignments (none, linear) scored for the rule's model set."""
    return MODELS[wildcards.model]["alignment"]


def alignment_layers():
    """Model and layer of every alignment fit, for expand(..., zip)."""
    pairs = [(model, layer) for model in MODELS for layer in MODELS[model]["layers"]]
    return {"model": [m for m, _ in pairs], "layer": [l for _, l in pairs]}


def comparison_targets():
    """The multimodal-vs-unimodal table, when both model sets are enabled."""
    return ["results/tables/multimodal_vs_unimodal.tsv"] if COMPARE else []


def validation_targets():
    """Validation tables, only when the planted truth exists (synthetic data)."""
    return ["results/validation/recovery.tsv"] if config["data"]["ground_truth"] else []


# ---- helpers of pca.smk ----

# Shared semantic dimensions (method.md step 7): PCA of the story-model weights of multimodal voxels.


def pca_alignment(model):
    """pca.alignment if the model set scores it, else its first alignment."""
    preferred = config["pca"]["alignment"]
    return preferred if preferred in MODELS[model]["alignment"] else MODELS[model]["alignment"][0]


def pca_alignment_of(wildcards):
    return pca_alignment(wildcards.model)


def pca_inputs(wildcards):
    """Story fits and transfer scores of every subject, feature files, test pairs and maps that the pca rule reads."""
    model, layer = wildcards.model, wildcards.layer
    inputs = {
        "story_fits": [f"results/{model}/{s}/encoding/story_layer-{layer}.h5" for s in SUBJECTS],
        "scores": [f"results/{model}/{s}/transfer/layer-{layer}.h5" for s in SUBJECTS],
        "designs": [f"results/{model}/{s}/design/story_layer-{layer}.h5" for s in SUBJECTS],
        "story_features": [feature_file(model, "story", run) for run in all_runs("story")],
        "movie_features": [feature_file(model, "movie", run) for run in all_runs("movie")],
        "test_captions": pair_features(model, "test", "captions"),
        "test_images": pair_features(model, "test", "images"),
        "data": dataset_inputs(),
    }
    if pca_alignment(model) == "linear":
        inputs["maps"] = f"results/{model}/alignment/layer-{layer}.h5"
    return inputs


def pca_targets(suffix=".h5"):
    """The PCA output of every model set and layer."""
    return [f"results/{model}/pca/layer-{layer}{suffix}" for model in MODELS for layer in MODELS[model]["layers"]]


def pca_all_targets():
    """Every PCA table and array, plus the planted-subspace validation on synthetic data (for `rule all`)."""
    targets = [path for suffix in (".h5", "_components.tsv", "_words.tsv", "_images.tsv") for path in pca_targets(suffix)]
    if config["data"]["ground_truth"]:
        targets += ["results/validation/pca_recovery.tsv", "results/validation/pca_planted.tsv"]
    return targets


# ---- helpers of figures.smk ----

# A figure for every result (issue 6). Each figure kind is one rule and each figure its own target,
# results/figures/<what it shows>[_<model>_<layer>[_<subject>]].png (+ .pdf); rebuild one with
# `snakemake --cores 1 results/figures/<name>.png`.

import re as _re

FIGURE_MODEL = "|".join(_re.escape(m) for m in MODELS)
FIGURE_FORMATS = ("png", "pdf")
FIGURES = config["figures"]


def figure_alignment(wildcards):
    """figures.alignment if the rule's model set scores it, else its first alignment."""
    available = MODELS[wildcards.model]["alignment"]
    preferred = FIGURES["alignment"]
    return preferred if preferred in available else available[0]


def figure_outputs(name):
    """PNG (in the report) and PDF of one figure."""
    return [f"results/figures/{name}.{ext}" for ext in FIGURE_FORMATS]


def _figure_report(name, caption, category, subcategory=None):
    return report(f"results/figures/{name}.png", caption=f"../report/{caption}.rst", category=category, subcategory=subcategory)


def _flatmap_kind():
    """Which flatmaps the subjects without a short-clips mapper get, from the config and the data only (never from what is installed).

    fsaverage5 data: the fsaverage5 flat patches (shipped with nilearn). ds003020 subject space:
    pycortex flatmaps when figures.pycortex is true, or auto and the stories dataset has its
    pycortex database; asking for them without pycortex installed is one config error.
    """
    if config["data"]["space"] == "fsaverage5":
        return "fsaverage5"
    wanted = FIGURES["pycortex"]
    if wanted is False:
        return None
    if wanted == "auto":
        from crossmodal.data.stories import derivative_folder

        try:
            if not (derivative_folder(Path(config["data"]["stories"]["root"])) / "pycortex-db").is_dir():
                return None
        except InputError:
            return None  # the run listing reports the missing dataset
    try:
        import cortex  # noqa: F401
    except ImportError:
        sys.exit(f"Config error: {_config_sources}: figures.pycortex is {wanted} (and the stories dataset has a pycortex database) "
                 "but pycortex is not installed. Install it (pip install 'crossmodal-encoding[pycortex]') or set figures.pycortex: false.")
    return "pycortex"


def _mapper_files():
    """{subject: mapper file} of the subjects whose flatmaps come from their short-clips mapper (figures.mappers).

    Decided from paths only (<movies root>/mappers/<movie subject>_mappers.hdf exists; no file is opened), so
    the default run (synthetic data, no mappers) checks two paths and keeps its fsaverage5 flatmaps.
    """
    from crossmodal.mappers import mapper_files

    try:
        return mapper_files(SUBJECTS, config["data"]["movies"]["root"], {s: movie_subject(s) for s in SUBJECTS}, FIGURES["mappers"])
    except InputError as error:
        sys.exit(f"Config error: {_config_sources}: {error}")


def subject_pattern(subjects):
    """A wildcard constraint matching exactly these subjects."""
    return "|".join(_re.escape(s) for s in subjects)


#: Subjects whose flatmaps are drawn from their short-clips mapper; the others get FLATMAPS (fsaverage5, pycortex or none).
MAPPERS = _mapper_files()
SURFACE_SUBJECTS = [s for s in SUBJECTS if s not in MAPPERS]
FLATMAPS = _flatmap_kind() if SURFACE_SUBJECTS else None


def mapper_of(wildcards):
    """The short-clips mapper file of the rule's subject."""
    return MAPPERS[wildcards.subject]


def figure_targets():
    """Every figure of the configured analysis (PNG and PDF)."""
    names = []
    model_layers = [(m, l) for m in MODELS for l in MODELS[m]["layers"]]
    for model, layer in model_layers:
        names += [f"region_scores_{model}_{layer}", f"within_vs_cross_{model}_{layer}"]
        names += [f"pc_sharedness_{model}_{layer}", f"pc_words_{model}_{layer}", f"pc_images_{model}_{layer}"]
        for subject in SUBJECTS:
            if subject in MAPPERS or FLATMAPS:
                names += [f"performance_flatmaps_{model}_{layer}_{subject}", f"transfer_ratio_flatmap_{model}_{layer}_{subject}"]
    names += ["alignment_retrieval", "encoding_alphas", "noise_ceiling"] + (["multimodal_vs_unimodal"] if COMPARE else [])
    if config["data"]["ground_truth"]:
        names += ["synthetic_recovery", "synthetic_class_rates"]
    return [path for name in names for path in figure_outputs(name)]


def scores_of(wildcards):
    return f"results/{wildcards.model}/{wildcards.subject}/transfer/layer-{wildcards.layer}.h5"


def scores_of_subjects(wildcards):
    return [f"results/{wildcards.model}/{s}/transfer/layer-{wildcards.layer}.h5" for s in SUBJECTS]


def comparison_scores(which):
    model = config["compare"][which]
    return expand("results/{model}/{subject}/transfer/layer-{layer}.h5", model=model, subject=SUBJECTS, layer=MODELS[model]["layers"][0])


#: Power-section keys that change how the grid runs or is summarised, not a point's numbers.
POWER_EXECUTION = ("threads", "keep_runs", "n_bootstrap", "confidence", "target_detection", "n_train_stories", "n_train_movie_runs",
                   "snr", "test_repeats", "multimodal_patches_per_region", "n_seeds")


def power_point_settings(name):
    """What changes the numbers of one power grid point (its params): the point's config without figure, PCA and
    comparison settings and without execution keys. The script builds the run's full config itself."""
    from crossmodal.power import point_config

    point = point_config(config, POWER_POINTS[name], POWER)
    point["features"] = {key: value for key, value in point["features"].items() if key not in ("device", "batch_size", "progress")}
    point["encoding"] = {key: value for key, value in point["encoding"].items() if key not in ENCODING_EXECUTION}
    point["models"] = {POWER.model: point["models"][POWER.model]}
    point["power"] = {key: value for key, value in config["power"].items() if key not in POWER_EXECUTION}
    return {key: point[key] for key in ("subjects", "simulate", "data", "features", "models", "encoding", "alignment", "transfer", "stats", "power")}
