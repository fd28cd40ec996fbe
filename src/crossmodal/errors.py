"""One-line, actionable errors for bad input.

Every error a user can cause by pointing the workflow at wrong data or a wrong
config is raised as :class:`InputError`, whose message is one line saying
which file, what is wrong, and what to do.
"""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Bad input: the message names the file, the problem and the fix.

    Parameters
    ----------
    source : str or Path
        The file, folder or config key that is wrong.
    problem : str
        What is wrong with it.
    fix : str
        What the user should do about it.
    """

    def __init__(self, source: str | Path, problem: str, fix: str):
        self.source = str(source)
        self.problem = problem
        self.fix = fix
        fix = fix.strip()
        fix = fix[:1].upper() + fix[1:]
        message = f"{self.source}: {problem.rstrip('.')}. {fix.rstrip('.')}."
        super().__init__(" ".join(message.split()))
