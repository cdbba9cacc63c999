#!/usr/bin/env bash
# Installs the Debian packages Gatewarden's tests, lab and demo need, on a fresh
# Debian 12 / Ubuntu machine, as root. Idempotent: does nothing when all are present.
#   chromium                 Playwright drives Debian's Chromium (no browser download)
#   postgresql               PostgreSQL mode and its CI tests
#   strongswan-*, libcharon-extra-plugins (kernel-libipsec), openssh-server,
#   iproute2, iputils-ping, tcpdump, procps   the router lab (see README, Router lab)
# then scripts/vm-lab-install.sh: QEMU and the guest image of the VM lab (kernel IPsec, Libreswan).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
packages=(
  chromium
  postgresql
  strongswan-charon strongswan-swanctl libcharon-extra-plugins
  libstrongswan-standard-plugins libstrongswan-extra-plugins
  openssh-server openssh-client iproute2 iputils-ping tcpdump procps util-linux
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  bash "$here/vm-lab-install.sh"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: missing ${missing[*]}; run this script as root" >&2
  exit 1
fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Packages that ship services must not start them here (no systemd in CI): a
# policy-rc.d that says "no" for the duration of the install, unless one exists.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq "${missing[@]}"
bash "$here/vm-lab-install.sh"
