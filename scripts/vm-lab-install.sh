#!/usr/bin/env bash
# Installs what the VM router lab (`npm run lab -- up --backend vm`) needs on a Debian 12
# machine, as root, and builds its guest image cache (default /var/cache/gatewarden-lab,
# or $GATEWARDEN_LAB_CACHE). Idempotent. Nothing is installed on the host but Debian's
# packages below; the guest kernel and Libreswan are downloaded and unpacked into the
# cache only (installing Libreswan on the host would remove strongSwan).
#   qemu-system-x86 (no recommends)  the VMs, in pure emulation (-accel tcg)
#   busybox-static, cpio             the guests' initramfs
#   kmod                             depmod over the unpacked guest kernel
#   xz-utils                         the uncompressed vmlinux (direct PVH boot, ~3 s faster)
set -euo pipefail
CACHE="${GATEWARDEN_LAB_CACHE:-/var/cache/gatewarden-lab}"
HERE="$(cd "$(dirname "$0")/.." && pwd)"

if [ "$(id -u)" -ne 0 ]; then echo "vm-lab-install: run as root" >&2; exit 1; fi
packages=(qemu-system-x86 busybox-static cpio kmod xz-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  echo "vm-lab: installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

mkdir -p "$CACHE/debs"
cd "$CACHE"
# The guest kernel: whatever Debian's generic amd64 kernel package is today (the cloud
# flavour has no 9p). Its version names the cache entry.
kpkg="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')"
if [ -z "$kpkg" ]; then apt-get update -qq; kpkg="$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')"; fi
[ -n "$kpkg" ] || { echo "vm-lab: cannot find Debian's linux-image-amd64 kernel package" >&2; exit 1; }
version="${kpkg#linux-image-}"
if [ ! -f "kernel/lib/modules/$version/modules.dep" ] || [ ! -s vmlinux ]; then
  echo "vm-lab: guest kernel $version"
  rm -rf kernel vmlinux && mkdir kernel
  (cd debs && apt-get download -q "$kpkg" 2>&1 | grep -v "^W: Download is performed unsandboxed" || true)
  dpkg-deb -x debs/"$kpkg"_*.deb kernel
  depmod -b kernel "$version"
  # Direct boot of the ELF inside the bzImage: find the XZ stream and unpack it.
  offset="$(python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); print(d.find(b"\xfd7zXZ\x00"))' "kernel/boot/vmlinuz-$version")"
  [ "$offset" -gt 0 ] || { echo "vm-lab: no XZ payload in vmlinuz-$version" >&2; exit 1; }
  tail -c +"$((offset + 1))" "kernel/boot/vmlinuz-$version" | xz -dc --single-stream > vmlinux.tmp 2>/dev/null || true
  [ -s vmlinux.tmp ] && mv vmlinux.tmp vmlinux || { echo "vm-lab: could not unpack vmlinux" >&2; exit 1; }
fi
echo "$version" > kernel.version

# Libreswan 4.10 and the libraries the host lacks, unpacked for the Libreswan routers' /usr and /etc.
if [ ! -x libreswan/usr/libexec/ipsec/pluto ]; then
  echo "vm-lab: Libreswan (unpacked, not installed)"
  rm -rf libreswan && mkdir libreswan
  (cd debs && apt-get download -q libreswan libldns3 libevent-pthreads-2.1-7 libnss3-tools libunbound8 libcurl3-nss dns-root-data 2>&1 | grep -v "^W: Download is performed unsandboxed" || true)
  for deb in debs/libreswan_*.deb debs/libldns3_*.deb debs/libevent-pthreads-2.1-7_*.deb debs/libnss3-tools_*.deb debs/libunbound8_*.deb debs/libcurl3-nss_*.deb debs/dns-root-data_*.deb; do
    dpkg-deb -x "$deb" libreswan
  done
fi

# The guests' view of /etc: the host's, without its secrets (SSH host keys, password
# hashes, private TLS keys); every account gets "*" (no password, not locked).
rm -rf etc-view.tmp && mkdir etc-view.tmp
tar -C /etc --exclude='./ssh/ssh_host_*' --exclude='./shadow*' --exclude='./gshadow*' --exclude='./ssl/private' \
  --exclude='./sudoers*' --exclude='./swanctl/*' --exclude='./ipsec.secrets' -cf - . 2>/dev/null | tar -C etc-view.tmp -xf -
awk -F: '{print $1":*:19000:0:99999:7:::"}' /etc/passwd > etc-view.tmp/shadow && chmod 640 etc-view.tmp/shadow
rm -rf etc-view && mv etc-view.tmp etc-view

# The initramfs: static busybox, the modules that mount the 9p shares, and the init.
rm -rf initrd.d && mkdir -p initrd.d/bin initrd.d/dev initrd.d/proc initrd.d/sys initrd.d/newroot initrd.d/modules
cp /usr/bin/busybox initrd.d/bin/busybox
for m in virtio_pci_legacy_dev virtio_pci_modern_dev virtio_ring virtio virtio_pci 9pnet 9pnet_virtio netfs fscache 9p overlay; do
  f="$(modinfo -b kernel -k "$version" -n "$m")"
  case "$f" in *.xz) xz -dc "$f" > "initrd.d/modules/$m.ko" ;; *) cp "$f" "initrd.d/modules/$m.ko" ;; esac
done
cp "$HERE/e2e/lab/vm/initramfs-init.sh" initrd.d/init && chmod 755 initrd.d/init
(cd initrd.d && find . | cpio -o -H newc --quiet | gzip -1 > ../initrd.cpio.gz.tmp) && mv initrd.cpio.gz.tmp initrd.cpio.gz
rm -rf initrd.d
echo "vm-lab: ready in $CACHE (kernel $version, $(du -sh vmlinux | cut -f1) vmlinux, Libreswan $(ls debs | sed -n 's/^libreswan_\([^_]*\)_.*/\1/p'))"
