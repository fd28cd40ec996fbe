"""Files that datalad / git-annex has not downloaded yet.

A dataset installed with ``datalad install`` or ``datalad clone`` (as
ds003020 and the short-clips release are published) holds every large file
as a placeholder until ``datalad get`` fetches its content:

* in the usual (locked) mode, a symbolic link into
  ``.git/annex/objects/...`` whose target does not exist yet;
* in unlocked mode or on file systems without symbolic links (adjusted
  branches), a small text file whose first line is a key path such as
  ``/annex/objects/SHA256E-s1234--abcd.hf5`` (or, where symbolic links
  are unavailable, the link's target ``../../.git/annex/objects/...``).

:func:`require_content` recognises both before any parser opens the file,
so the user gets one line naming the file and the command that fetches it
instead of an HDF5, JSON or TextGrid parse error.
"""

from __future__ import annotations

import os
from pathlib import Path

from crossmodal.errors import InputError

#: The longest pointer file we read (git-annex pointer files are a single key line, well under this).
POINTER_MAX_BYTES = 1024
ANNEX_KEY_MARKER = "annex/objects/"


def annex_placeholder(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a git-annex placeholder whose content is not present.

    Parameters
    ----------
    path : path

    Returns
    -------
    bool
        True for a broken symbolic link into an annex object store and for
        a small pointer file whose first line is an annex key path.
    """
    path = Path(path)
    if path.is_symlink() and not path.exists():
        return ANNEX_KEY_MARKER in os.readlink(path)
    if not path.is_file() or path.stat().st_size > POINTER_MAX_BYTES:
        return False
    with open(path, "rb") as handle:
        head = handle.read(POINTER_MAX_BYTES).split(b"\n", 1)[0].strip()
    return head.startswith(b"/annex/objects/") or (head.startswith(b"../") and ANNEX_KEY_MARKER.encode() in head)


def require_content(path: str | os.PathLike) -> None:
    """Raise one clear error if ``path`` is an undownloaded git-annex placeholder.

    Parameters
    ----------
    path : path

    Raises
    ------
    InputError
        Naming the file and the ``datalad get`` command that fetches it.
    """
    if annex_placeholder(path):
        raise InputError(path, "is not downloaded yet (a datalad/git-annex placeholder, not the data)",
                         f"fetch it with: datalad get {path}")
