"""Logging set-up shared by the workflow scripts and command-line use."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def setup_logging(log_path: str | Path | None = None, level: int = logging.INFO) -> logging.Logger:
    """Log to ``log_path`` (if given) and to standard error.

    Parameters
    ----------
    log_path : str or Path or None
    level : int

    Returns
    -------
    logging.Logger
        The ``crossmodal`` logger.
    """
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(level=level, format="%(asctime)s %(name)s %(levelname)s: %(message)s", handlers=handlers, force=True)
    return logging.getLogger("crossmodal")
