"""The one settings layer: the config schema holds every default; configs are validated and completed here.

The workflow validates its merged config with :func:`validate_config`, which
fills in the schema's defaults (``default:`` of every key in
``workflow/schemas/config.schema.yaml``) and then checks types, unknown keys
and the names that refer to other keys (model sets, alignments); every
problem is one line naming the key. A notebook user gets the same completed
config with :func:`load_config`, and a typed section with the ``from_config``
of its settings class (e.g. :class:`crossmodal.encoding.subject.EncodingSettings`),
which fills missing keys from the same schema. No default is written anywhere
else.

Small helpers that every section shares live here too: :func:`torch_device`
(the meaning of ``device: auto``) and :func:`alpha_grid`.
"""

from __future__ import annotations

import copy
import dataclasses
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import yaml

from crossmodal.errors import InputError

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"

__all__ = ["ConfigSection", "SCHEMA_PATH", "alpha_grid", "defaults", "fill_defaults", "load_config", "resource_path", "torch_device",
           "validate_config"]


@lru_cache(maxsize=4)
def _schema(path: str) -> dict:
    return yaml.safe_load(Path(path).read_text())


def fill_defaults(config: dict, schema: dict) -> dict:
    """Fill every missing key of ``config`` (in place) with the schema's ``default``, recursively.

    Objects are completed inside: a section given partly keeps its keys and
    gets the defaults of the others; each entry of a mapping whose schema is
    ``additionalProperties`` (the model sets) is completed the same way. A
    mapping marked ``x-merge-defaults`` (``models``) keeps its default entries
    next to the given ones, and a given entry of a default's name only changes
    the keys it gives (``models: {unimodal: {enabled: false}}`` disables one
    default model set).

    Returns
    -------
    dict
        ``config``.
    """
    if not isinstance(config, dict) or schema.get("type") != "object":
        return config
    for key, sub_schema in schema.get("properties", {}).items():
        if key not in config and "default" in sub_schema:
            config[key] = copy.deepcopy(sub_schema["default"])
        elif key in config and sub_schema.get("x-merge-defaults") and isinstance(config[key], dict):
            given = config[key]  # named entries (model sets): the defaults first, in their order, under the given keys
            merged = {name: {**copy.deepcopy(entry), **given.get(name, {})} for name, entry in sub_schema["default"].items()}
            config[key] = {**merged, **{name: entry for name, entry in given.items() if name not in merged}}
        if key in config:
            fill_defaults(config[key], sub_schema)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        for key, value in config.items():
            if key not in schema.get("properties", {}):
                fill_defaults(value, extra)
    return config


def defaults(section: str | None = None, schema_path: str | Path = SCHEMA_PATH) -> Any:
    """The default config (``section=None``) or the default of one top-level section.

    Returns
    -------
    dict
        A fresh copy; change it freely.
    """
    config = fill_defaults({}, _schema(str(schema_path)))
    return config if section is None else config[section]


def load_config(path: str | Path, schema_path: str | Path = SCHEMA_PATH) -> dict:
    """Read a YAML config, fill in the defaults and validate it.

    Parameters
    ----------
    path : str or Path
    schema_path : str or Path

    Returns
    -------
    dict
    """
    path = Path(path)
    try:
        config = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise InputError(path, f"is not valid YAML ({str(error).splitlines()[0]})", "fix the YAML syntax") from None
    validate_config(config, schema_path, str(path))
    return config


def validate_config(config: dict, schema_path: str | Path, source: str) -> None:
    """Complete a config with the schema's defaults (in place) and check it; one InputError line on the first problem.

    Unknown keys are rejected by name (the schema sets
    ``additionalProperties: false`` everywhere), wrong types name the key, the
    value and the expected type, and names that must refer to other keys
    (``compare.multimodal``, ``compare.unimodal``, ``compare.alignment``)
    are checked against them.

    Parameters
    ----------
    config : dict
    schema_path : str or Path
    source : str
        The config file(s) the values came from, for the message.
    """
    import jsonschema

    schema = _schema(str(schema_path))
    fill_defaults(config, schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        _raise(errors[0], source)
    _check_references(config, source)


def _raise(error, source: str) -> None:
    key = ".".join(str(part) for part in error.absolute_path) or "(top level)"
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        where = f" in '{key}'" if error.absolute_path else ""
        raise InputError(
            source, f"unknown config key {', '.join(repr(u) for u in unknown)}{where}",
            f"remove it or fix its spelling (allowed here: {', '.join(allowed)}; see config/README.md)",
        )
    if error.validator == "required":
        raise InputError(source, f"config is missing {error.message.split(' is a required')[0]} in '{key}'", "add it (see config/README.md)")
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, str) else " or ".join(error.validator_value)
        raise InputError(source, f"config key '{key}' is {error.instance!r}, which is not of type {expected}", "fix its value (see config/README.md)")
    raise InputError(source, f"config key '{key}': {error.message}", "fix its value (see config/README.md)")


def _check_references(config: dict, source: str) -> None:
    """Keys whose values name model sets or alignments must name existing ones."""
    models = config["models"]
    enabled = [name for name, settings in models.items() if settings.get("enabled", True)]
    for side in ("multimodal", "unimodal"):
        name = config["compare"][side]
        if name not in models:
            raise InputError(source, f"config key 'compare.{side}' is {name!r}, which is not a model set (models: {', '.join(models)})",
                             "name a key of `models`")
    power = config.get("power", {})
    if "model" in power and power["model"] not in models:
        raise InputError(source, f"config key 'power.model' is {power['model']!r}, which is not a model set (models: {', '.join(models)})",
                         "name a key of `models`")
    if len(power.get("n_train_stories", ())) != len(power.get("n_train_movie_runs", ())):
        raise InputError(source, f"config keys 'power.n_train_stories' and 'power.n_train_movie_runs' have {len(power['n_train_stories'])} "
                         f"and {len(power['n_train_movie_runs'])} entries", "give one movie-run count per story count (data sizes are pairs)")
    _check_subject_pairing(config, source)
    alignment = config["compare"]["alignment"]
    compared = [config["compare"][side] for side in ("multimodal", "unimodal")]
    if all(name in enabled for name in compared):
        lacking = [name for name in compared if alignment not in models[name]["alignment"]]
        if lacking:
            raise InputError(source, f"config key 'compare.alignment' is {alignment!r}, which model set {lacking[0]!r} does not score "
                             f"(its alignment: {models[lacking[0]]['alignment']})", "choose an alignment both compared model sets score")


def _check_subject_pairing(config: dict, source: str) -> None:
    """``data.movies.subjects`` maps listed subjects to distinct movie-dataset names."""
    pairing = config["data"]["movies"]["subjects"]
    if pairing and config["simulate"]["enabled"]:
        raise InputError(source, "config key 'data.movies.subjects' pairs subjects, but simulate.enabled is true and the synthetic "
                         "movies are named like `subjects`", "remove data.movies.subjects for synthetic data, or set simulate.enabled: false")
    unknown = [name for name in pairing if name not in config["subjects"]]
    if unknown:
        raise InputError(source, f"config key 'data.movies.subjects' pairs {unknown[0]!r}, which is not in subjects {config['subjects']}",
                         "map each entry of `subjects` to the movie dataset's name for the same person")
    movie_names = [pairing.get(name, name) for name in config["subjects"]]
    repeated = sorted({name for name in movie_names if movie_names.count(name) > 1})
    if repeated:
        raise InputError(source, f"config key 'data.movies.subjects' gives movie subject {repeated[0]!r} to more than one subject",
                         "pair each subject with the movie data of the same person, once")


#: The repository root: relative resource paths (``resources/...``) are found here when not found from the working directory.
REPOSITORY = Path(__file__).resolve().parents[2]


def resource_path(path: str | Path) -> Path:
    """A path of the config to a file the repository ships (``resources/...``).

    As given when absolute or found from the working directory, else relative
    to the repository root (so a run in another working directory, e.g.
    ``snakemake --directory runs/null``, finds the shipped resources).
    """
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path
    return REPOSITORY / path


def torch_device(setting: str) -> str | None:
    """The torch device of a ``device`` setting: None (CUDA when present) for ``auto``, else the name."""
    return None if setting == "auto" else setting


def alpha_grid(section: dict) -> np.ndarray:
    """``logspace(start, stop, num)`` of an ``alphas`` section ``{start, stop, num}``."""
    return np.logspace(float(section["start"]), float(section["stop"]), int(section["num"]))


class ConfigSection:
    """Mixin of the typed settings classes: built from a config section, missing keys from the schema's defaults.

    Subclasses are frozen dataclasses without defaults of their own and set
    :attr:`SECTION` to their top-level config key.
    """

    SECTION: ClassVar[str]

    @classmethod
    def _values(cls, section: dict | None, overrides: dict) -> dict:
        values = {**defaults(cls.SECTION), **(section or {}), **overrides}
        names = {field.name for field in dataclasses.fields(cls)}
        return {key: value for key, value in values.items() if key in names}

    @classmethod
    def from_config(cls, section: dict | None = None, **overrides):
        """The settings of a config section; keys it lacks take the schema's defaults; ``overrides`` win."""
        return cls(**cls._values(section, overrides))
