"""Configuration checking against the JSON schema, with one-line errors.

The workflow validates its merged config with :func:`validate_config`; a
notebook user can do the same with :func:`load_config`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from crossmodal.errors import InputError

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


def load_config(path: str | Path, schema_path: str | Path = SCHEMA_PATH) -> dict:
    """Read a YAML config and validate it.

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
        config = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise InputError(path, f"is not valid YAML ({str(error).splitlines()[0]})", "fix the YAML syntax") from None
    validate_config(config, schema_path, str(path))
    return config


def validate_config(config: dict, schema_path: str | Path, source: str) -> None:
    """Validate a config against the schema; raise one InputError line on the first problem.

    Unknown keys are rejected by name (the schema sets
    ``additionalProperties: false`` everywhere) and wrong types name the key,
    the value and the expected type.

    Parameters
    ----------
    config : dict
    schema_path : str or Path
    source : str
        The config file(s) the values came from, for the message.
    """
    import jsonschema

    schema = yaml.safe_load(Path(schema_path).read_text())
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if not errors:
        return
    error = errors[0]
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
