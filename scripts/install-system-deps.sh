#!/usr/bin/env bash
# Installs the Debian packages Gatewarden's tests, lab and demo need, on a fresh
# Debian 12 / Ubuntu machine, as root. Idempotent: does nothing when all are present.
#   chromium                 Playwright drives Debian's Chromium (no browser download)
#   postgresql               PostgreSQL mode and its CI tests
#   strongswan-*, libcharon-extra-plugins (kernel-libipsec), openssh-server,
#   iproute2, iputils-ping, tcpdump, procps   the router lab (see README, Router lab)
#   prometheus               the metrics test runs its own Prometheus on loopback; promtool
#                            checks docs/metrics (the packaged service is left stopped and disabled)
# then scripts/vm-lab-install.sh: QEMU and the guest image of the VM lab (kernel IPsec, Libreswan).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
packages=(
  chromium
  postgresql
  strongswan-charon strongswan-swanctl libcharon-extra-plugins
  libstrongswan-standard-plugins libstrongswan-extra-plugins
  openssh-server openssh-client iproute2 iputils-ping tcpdump procps util-linux
  prometheus
)

# Debian's prometheus package enables a service listening on :9090; tests start their own
# Prometheus on a loopback port of their choosing, so the packaged one must not run.
quiet_prometheus_service() {
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now prometheus.service >/dev/null 2>&1 || true
  else
    systemctl disable prometheus.service >/dev/null 2>&1 || true
    [ -x /etc/init.d/prometheus ] && /etc/init.d/prometheus stop >/dev/null 2>&1 || true
  fi
}
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  quiet_prometheus_service
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
others=()
for p in "${missing[@]}"; do [ "$p" = prometheus ] || others+=("$p"); done
[ ${#others[@]} -eq 0 ] || apt-get install -y -qq "${others[@]}"
if [ ${#others[@]} -ne ${#missing[@]} ]; then
  # Without its recommends: they would add prometheus-node-exporter, another service.
  apt-get install -y -qq --no-install-recommends prometheus
  quiet_prometheus_service
fi
bash "$here/vm-lab-install.sh"
