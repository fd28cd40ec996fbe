"""The conda environment file mirrors pyproject's dependencies; README and CI agree."""

import re
import tomllib
from pathlib import Path

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
            yield f"{prefix}{key}"


def test_every_config_key_documented():
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    readme = (REPO / "config" / "README.md").read_text()
    for key in _leaf_keys(config):
        names = {key, key.split(".", 1)[-1], key.rsplit(".", 1)[-1]}
        assert any(f"`{name}`" in readme for name in names), key


def test_config_validates_and_paper_config_too():
    from crossmodal.config import SCHEMA_PATH, validate_config

    default = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    validate_config(default, SCHEMA_PATH, "config/config.yaml")
    paper = yaml.safe_load((REPO / "config" / "paper.yaml").read_text())
    merged = _merge(default, paper)
    validate_config(merged, SCHEMA_PATH, "config/paper.yaml")
    assert merged["models"]["bridgetower"]["text_model"] == "bridgetower-base"


def _merge(base, override):
    out = dict(base)
    for key, value in override.items():
        out[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return out
