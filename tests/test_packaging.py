"""The conda environment file mirrors pyproject's dependencies; README and CI agree."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"torch": "pytorch", "matplotlib": "matplotlib-base", "snakemake": "snakemake-minimal"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement, maxsplit=1)[0].strip().lower()


def test_conda_env_matches_pyproject():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    needed = {CONDA_NAMES.get(_name(r), _name(r)) for r in pyproject["project"]["dependencies"]}
    env = yaml.safe_load((REPO / "envs" / "crossmodal.yaml").read_text())
    present = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    assert needed <= present, needed - present


def test_ci_runs_readme_test_command():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in readme and re.search(r"^make test$", ci, re.MULTILINE)


def _leaf_keys(tree, prefix=""):
    for key, value in tree.items():
        if isinstance(value, dict) and value and key not in ("checkpoints", "alphas", "models"):
            yield from _leaf_keys(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _readme_defaults(text):
    """Full key -> default cell of every table row of config/README.md (section from the heading)."""
    import re

    rows, section = {}, None
    for line in text.splitlines():
        heading = re.match(r"## `(\w+)`:", line)
        if line.startswith("## "):
            section = heading.group(1) if heading else None
        row = re.match(r"\| `([\w.]+)` \| `(.*?)` \|", line)
        if row:
            key = row.group(1)
            full = key if section is None or key.startswith(f"{section}.") else f"{section}.{key}"
            rows[full] = row.group(2)
    return rows


def test_every_config_key_documented_with_the_schema_default():
    """config/README.md lists every key with the default the schema holds (the schema is the only source)."""
    from crossmodal.config import defaults

    documented = _readme_defaults((REPO / "config" / "README.md").read_text())
    for key, default in _leaf_keys(defaults()):
        if key.startswith("models"):
            continue
        assert key in documented, f"{key} is not in config/README.md"
        assert yaml.safe_load(documented[key]) == default, (key, documented[key], default)


def test_config_validates_and_paper_config_too():
    from crossmodal.config import SCHEMA_PATH, validate_config

    default = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    validate_config(default, SCHEMA_PATH, "config/config.yaml")
    assert default["stats"]["n_null_draws"] == 2000 and default["models"]["unimodal"]["enabled"] is True  # defaults filled in
    paper = yaml.safe_load((REPO / "config" / "paper.yaml").read_text())
    merged = _merge(default, paper)
    validate_config(merged, SCHEMA_PATH, "config/paper.yaml")
    assert merged["models"]["bridgetower"]["text_model"] == "bridgetower-base"


def _merge(base, override):
    out = dict(base)
    for key, value in override.items():
        out[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return out


def test_defaults_fill_partial_sections_and_named_model_sets():
    """The schema's defaults complete a partial config; model sets given by name only change the keys given."""
    from crossmodal.config import SCHEMA_PATH, defaults, validate_config
    from crossmodal.errors import InputError

    config = {"stats": {"fdr_q": 0.1}, "models": {"unimodal": {"enabled": False}, "clip": {
        "text_model": "t", "vision_model": "v", "layers": ["tower.1"], "alignment": ["linear"]}}}
    validate_config(config, SCHEMA_PATH, "test")
    assert config["stats"] == {**defaults("stats"), "fdr_q": 0.1}
    assert list(config["models"]) == ["bridgetower", "unimodal", "clip"]
    assert config["models"]["unimodal"] == {**defaults("models")["unimodal"], "enabled": False}
    assert config["models"]["clip"]["enabled"] is True
    with pytest.raises(InputError, match="config key 'compare.multimodal' is 'bridgetowr', which is not a model set"):
        validate_config({"compare": {"multimodal": "bridgetowr"}}, SCHEMA_PATH, "test")
    with pytest.raises(InputError, match="config key 'compare.alignment' is 'none', which model set 'unimodal' does not score"):
        validate_config({"compare": {"alignment": "none"}}, SCHEMA_PATH, "test")
