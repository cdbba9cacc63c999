#!/bin/sh
# Installs what `npm run bench` needs beyond the router lab (scripts/lab-install.sh):
# Ansible, from Debian's own `ansible-core` package (the comparison baseline), and
# Debian's `ansible-mitogen` (Mitogen's strategies; Debian 12's build accepts
# ansible-core 2.14). Idempotent: does nothing when both are there. Needs root.
set -eu
if command -v ansible-playbook >/dev/null 2>&1 && [ -d /usr/lib/python3/dist-packages/ansible_mitogen ]; then
  echo "bench-install: ansible-playbook and Mitogen are already installed: $(ansible-playbook --version | head -1)"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "bench-install: run as root (apt-get install ansible-core ansible-mitogen)" >&2
  exit 1
fi
echo "bench-install: apt-get update"
apt-get update -qq
echo "bench-install: apt-get install --no-install-recommends ansible-core ansible-mitogen (Debian's packages)"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ansible-core ansible-mitogen
echo "bench-install: installed $(ansible-playbook --version | head -1)"
