#!/usr/bin/env bash
# Installs what the router lab (e2e/lab, `npm run lab`) needs on a Debian 12 machine:
# strongSwan with kernel-libipsec (ESP in user space: the kernel may lack ESP/AH),
# OpenSSH server, ping, tcpdump, iproute2. Idempotent and noninteractive; run as root.
# Installing the packages must not start services on the machine (the lab starts its
# own sshd/charon inside namespaces), so a temporary policy-rc.d denies that when the
# machine has none. Never install Debian's libreswan: it removes strongSwan.
set -euo pipefail

packages=(
  strongswan-charon strongswan-swanctl libcharon-extra-plugins
  libstrongswan-standard-plugins libstrongswan-extra-plugins
  openssh-server openssh-client iputils-ping iproute2 util-linux tcpdump
)

if [ "$(id -u)" -ne 0 ]; then
  echo "lab-install: run as root" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi

# The lab needs TUN (kernel-libipsec), veth, bridges and overlayfs.
for m in tun veth bridge overlay; do modprobe "$m" 2>/dev/null || true; done
[ -c /dev/net/tun ] || { echo "lab-install: /dev/net/tun is missing (kernel-libipsec needs TUN)" >&2; exit 1; }
grep -qw overlay /proc/filesystems || { echo "lab-install: overlayfs is not available" >&2; exit 1; }
[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] || { echo "lab-install: kernel-libipsec plugin missing" >&2; exit 1; }
echo "lab-install: ready (strongswan-charon $(dpkg-query -W -f='${Version}' strongswan-charon), $(ssh -V 2>&1))"
