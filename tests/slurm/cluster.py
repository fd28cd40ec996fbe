"""A throw-away one-node SLURM cluster on this machine (munged + slurmctld + slurmd).

Used by tests/test_slurm.py; also runnable by hand (as root, with Debian's
slurmctld, slurmd, slurm-client and munge installed, e.g. by .ci/install-slurm.sh):

    python tests/slurm/cluster.py start /tmp/slurm   # prints: export SLURM_CONF=...
    export SLURM_CONF=/tmp/slurm/slurm.conf PATH=/tmp/slurm/bin:$PATH
    sinfo; snakemake --profile workflow/profiles/slurm ...
    python tests/slurm/cluster.py stop /tmp/slurm

Everything (config, munge key and socket, state, logs, pid files) lives under
the given directory; free ports are picked, so it does not clash with a SLURM
already configured in /etc/slurm. Clients find it through ``SLURM_CONF``, and
through ``<dir>/bin`` (put first on PATH by ``Cluster.env``): wrappers of the
SLURM commands that set SLURM_CONF themselves. They are needed because the
jobstep executor (snakemake-executor-plugin-slurm-jobstep 0.6) drops every
SLURM_* variable, SLURM_CONF included, before it runs `srun` inside a job; a
real cluster's /etc/slurm/slurm.conf (or configless slurmd) needs no wrappers.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "slurm.conf.in"
DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "sinfo", "scontrol", "scancel", "srun")
WRAPPER_MARK = ".slurm-wrappers"  # marks <dir>/bin, so the real commands are found behind it


class ClusterError(RuntimeError):
    """The cluster could not be started; the message says why (with daemon log tails)."""


def missing_prerequisites() -> str | None:
    """Why this machine cannot run the cluster, or None when it can."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root to run munged, slurmctld and slurmd"
    missing = [name for name in (*DAEMONS, *CLIENTS) if shutil.which(name, path=_sbin_path()) is None]
    if missing:
        return (
            f"SLURM/munge not installed (missing: {', '.join(missing)}); "
            "run `bash .ci/install-slurm.sh` (Debian: slurmctld slurmd slurm-client munge)"
        )
    return None


def _sbin_path() -> str:
    """PATH with the sbin folders (the daemons) and without any cluster's wrapper folder."""
    folders = [f for f in os.environ.get("PATH", "").split(os.pathsep) if f and not (Path(f) / WRAPPER_MARK).exists()]
    return os.pathsep.join([*folders, "/usr/sbin", "/sbin"])


def _which(name: str) -> str:
    path = shutil.which(name, path=_sbin_path())
    if path is None:
        raise ClusterError(f"{name} not found")
    return path


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _physical_memory_mb() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (our own exited child) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


class Cluster:
    """One SLURM node ``<hostname>`` in partition ``debug``, all state under ``root``."""

    def __init__(self, root: Path, cpus: int | None = None, memory_mb: int | None = None):
        self.root = Path(root).resolve()
        self.cpus = max(cpus or 0, os.cpu_count() or 1)
        self.memory_mb = max(memory_mb or 0, _physical_memory_mb())
        self.host = socket.gethostname().split(".")[0]
        self.conf = self.root / "slurm.conf"
        self.munge_socket = self.root / "munge" / "munge.socket"

    @property
    def env(self) -> dict[str, str]:
        """This process's environment, pointed at the cluster (SLURM_CONF; sbin on PATH)."""
        path = os.pathsep.join([str(self.root / "bin"), _sbin_path()])
        return {**os.environ, "SLURM_CONF": str(self.conf), "PATH": path}

    def run(self, *command: str, check: bool = True, timeout: float = 30) -> str:
        """Run a SLURM client command against this cluster; return its stdout."""
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise ClusterError(f"`{' '.join(command)}` failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout

    # -- start --------------------------------------------------------------------------------

    def start(self, timeout: float = 90) -> Cluster:
        """Write the config, start munged, slurmctld and slurmd; wait until the node is idle."""
        reason = missing_prerequisites()
        if reason:
            raise ClusterError(reason)
        for sub in ("munge", "state", "spool", "log", "run", "bin"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.root / "munge", 0o700)
        ctld_port, slurmd_port = _free_ports(2)
        self.conf.write_text(TEMPLATE.read_text().format(
            host=self.host, addr="127.0.0.1", ctld_port=ctld_port, slurmd_port=slurmd_port,
            munge_socket=self.munge_socket, root=self.root, cpus=self.cpus, memory_mb=self.memory_mb,
        ))
        (self.root / "bin" / WRAPPER_MARK).touch()
        for name in CLIENTS + ("sacct",):
            wrapper = self.root / "bin" / name
            wrapper.write_text(f'#!/bin/sh\nSLURM_CONF={self.conf} exec {_which(name)} "$@"\n')
            wrapper.chmod(0o755)
        try:
            self._start_munge()
            self._daemon(_which("slurmctld"), "-f", str(self.conf))
            self._wait(lambda: self.run("scontrol", "ping", check=False, timeout=10).find("UP") >= 0,
                       timeout, "slurmctld did not answer `scontrol ping`")
            self._daemon(_which("slurmd"), "-f", str(self.conf), "-N", self.host)
            self._wait(self._node_idle, timeout, f"node {self.host} did not become idle")
        except Exception as error:
            logs = "\n".join(
                f"--- {name}:\n{_tail(self.root / 'log' / name)}" for name in ("munged.log", "slurmctld.log", "slurmd.log")
            )
            self.stop()
            raise ClusterError(f"{error}\n{logs}") from error
        return self

    def _start_munge(self) -> None:
        key = self.root / "munge" / "munge.key"
        if not key.exists():
            key.write_bytes(os.urandom(1024))
        os.chmod(key, 0o400)
        self._daemon(
            _which("munged"), "--force", f"--key-file={key}", f"--socket={self.munge_socket}",
            f"--pid-file={self.root / 'run' / 'munged.pid'}", f"--log-file={self.root / 'log' / 'munged.log'}",
            f"--seed-file={self.root / 'munge' / 'munged.seed'}",
        )
        self._wait(self.munge_socket.exists, 20, "munged did not create its socket")

    def _daemon(self, *command: str) -> None:
        """Start a self-daemonizing program; it must exit 0 after forking."""
        result = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=60,
                                stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise ClusterError(f"`{' '.join(command)}` exited {result.returncode}: {result.stderr.strip()}")

    def _node_idle(self) -> bool:
        states = self.run("sinfo", "--noheader", "--Node", "--format=%N %T", check=False, timeout=10).split()
        return states[-1:] == ["idle"] if len(states) == 2 else False

    @staticmethod
    def _wait(condition, timeout: float, message: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.5)
        raise ClusterError(f"{message} within {timeout:.0f} s")

    # -- stop ---------------------------------------------------------------------------------

    def stop(self) -> None:
        """Cancel every job, shut the daemons down (SIGKILL stragglers); safe to call twice."""
        run = self.root / "run"
        pids = {name: _read_pid(run / f"{name}.pid") for name in DAEMONS}
        if self.conf.exists() and pids["slurmctld"] and _alive(pids["slurmctld"]):
            try:
                self.run("scancel", "--full", "--user", "root", check=False, timeout=15)
                self._wait(lambda: not self.run("squeue", "--noheader", check=False, timeout=10).strip(),
                           20, "jobs still queued")
            except (ClusterError, subprocess.TimeoutExpired):
                pass
            try:
                self.run("scontrol", "shutdown", check=False, timeout=15)
            except subprocess.TimeoutExpired:
                pass
        for name in ("slurmd", "slurmctld", "munged"):
            pid = pids[name]
            if not pid or not _alive(pid):
                continue
            if name == "munged":
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 15
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        print(__doc__, file=sys.stderr)
        return 2
    cluster = Cluster(Path(argv[2]))
    if argv[1] == "start":
        try:
            cluster.start()
        except ClusterError as error:
            print(f"cluster: {error}", file=sys.stderr)
            return 1
        print(f"export SLURM_CONF={cluster.conf} PATH={cluster.root / 'bin'}:$PATH")
        print(cluster.run("sinfo"), file=sys.stderr, end="")
    else:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
