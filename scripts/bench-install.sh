#!/bin/sh
# Installs what `npm run bench` needs beyond the router lab (scripts/lab-install.sh):
# Ansible, from Debian's own `ansible-core` package (the comparison baseline).
# Idempotent: does nothing when ansible-playbook is already there. Needs root.
set -eu
if command -v ansible-playbook >/dev/null 2>&1; then
  echo "bench-install: ansible-playbook is already installed: $(ansible-playbook --version | head -1)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "bench-install: run as root (apt-get install ansible-core)" >&2
  exit 1
fi
echo "bench-install: apt-get update"
apt-get update -qq
echo "bench-install: apt-get install --no-install-recommends ansible-core (Debian's package)"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ansible-core
echo "bench-install: installed $(ansible-playbook --version | head -1)"
