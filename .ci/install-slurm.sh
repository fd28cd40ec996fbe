#!/usr/bin/env bash
# Install a one-node SLURM (Debian's slurm-wlm 22.05 + munge) for the SLURM
# integration test (tests/test_slurm.py). Non-interactive; needs root and
# Debian/Ubuntu apt. Does nothing when the daemons are already installed.
# The daemons are NOT started here: the test starts and stops its own cluster
# (tests/slurm/cluster.sh).
set -euo pipefail

if command -v slurmctld >/dev/null && command -v slurmd >/dev/null \
        && command -v sbatch >/dev/null && command -v munged >/dev/null; then
    echo "install-slurm: slurmctld, slurmd, slurm-client and munge already installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-slurm: not root, skipping (tests/test_slurm.py will skip)" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null; then
    echo "install-slurm: no apt-get, skipping (tests/test_slurm.py will skip)" >&2
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# Keep the packages' init scripts from starting daemons during installation
# (without systemd they would fail or linger); remove the guard afterwards
# unless it was there before.
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    created_policy=1
fi
remove_policy() { if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap remove_policy EXIT

apt-get update -qq
# slurm-wlm = slurmctld + slurmd + slurm-client; munge authenticates them.
apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    slurmctld slurmd slurm-client munge >/dev/null
echo "install-slurm: installed slurm $(dpkg-query -W -f='${Version}' slurmctld), munge $(dpkg-query -W -f='${Version}' munge)"
