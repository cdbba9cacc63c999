#!/bin/busybox sh
# PID 1 of a VM lab router's initramfs (busybox): mount the host's /usr and a sanitized
# copy of its /etc over virtio-9p (read-only), put the guest kernel's modules and any
# per-router packages (Libreswan) over /usr, give /etc a tmpfs upper layer, and hand
# over to the router's own init script (/gw/init.sh, from the router's writable share).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# Dependency order from the kernel's modules.dep.
for m in virtio_pci_legacy_dev virtio_pci_modern_dev virtio_ring virtio virtio_pci 9pnet 9pnet_virtio netfs fscache 9p overlay; do
  insmod "/modules/$m.ko" || echo "gw-initrd: insmod $m failed"
done
opts=trans=virtio,version=9p2000.L,msize=524288
share() { mount -t 9p -o "$opts,$3" "$1" "$2" || echo "gw-initrd: share $1 failed"; }
mount -t tmpfs -o mode=0755,size=32m root /newroot
cd /newroot || exit 1
mkdir -p usr etc gw proc sys dev run tmp var root mnt/hostusr mnt/etc mnt/kmod mnt/extra mnt/etcrw
share usr /newroot/mnt/hostusr ro,cache=loose
share etc /newroot/mnt/etc ro,cache=loose
share kmod /newroot/mnt/kmod ro,cache=loose
share gw /newroot/gw cache=none
if grep -qx extra /sys/bus/virtio/drivers/9pnet_virtio/*/mount_tag 2>/dev/null; then share extra /newroot/mnt/extra ro,cache=loose; fi
lower=/newroot/mnt/kmod:/newroot/mnt/hostusr
[ -d /newroot/mnt/extra/usr ] && lower="/newroot/mnt/extra/usr:$lower"
mount -t overlay -o "lowerdir=$lower" gwusr /newroot/usr || echo "gw-initrd: /usr overlay failed"
mount -t tmpfs -o mode=0755 etcrw /newroot/mnt/etcrw
mkdir -p /newroot/mnt/etcrw/upper /newroot/mnt/etcrw/work
lower=/newroot/mnt/etc
[ -d /newroot/mnt/extra/etc ] && lower="/newroot/mnt/extra/etc:$lower"
mount -t overlay -o "lowerdir=$lower,upperdir=/newroot/mnt/etcrw/upper,workdir=/newroot/mnt/etcrw/work" gwetc /newroot/etc || echo "gw-initrd: /etc overlay failed"
ln -s usr/bin bin; ln -s usr/sbin sbin; ln -s usr/lib lib; ln -s usr/lib64 lib64
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /usr/bin/sh /gw/init.sh
