#!/bin/sh
# PID 1 of a VM lab router after switch_root: the host's programs on the guest's own
# kernel (real XFRM IPsec). Reads /gw/net.env (addresses, role) written by the lab;
# starts sshd and the router's IKE daemon, then stays as PID 1. Writes "gw-router-ready"
# (or "gw-router-failed: …") to the console, which the lab waits for.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mkdir -p /dev/pts /dev/shm
# devtmpfs has no /dev/fd: bash's process substitution (<(…)) needs it.
ln -s /proc/self/fd /dev/fd; ln -s fd/0 /dev/stdin; ln -s fd/1 /dev/stdout; ln -s fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
for d in /run /tmp /var /root; do mount -t tmpfs -o mode=0755 tmpfs "$d"; done
chmod 1777 /tmp
chmod 0700 /root
mkdir -p /var/lib/gatewarden /var/log /var/tmp /run/sshd /run/pluto /var/lib/ipsec/nss
ln -s /run /var/run
fail() { echo "gw-router-failed: $*" > /dev/ttyS0; while :; do sleep 3600; done; }
. /gw/net.env || fail "no /gw/net.env"
# Load the IPsec stack and its ciphers now: autoloading on the first SA costs seconds under TCG.
for m in virtio_net dummy esp4 ah4 af_key xfrm_user xfrm_ipcomp ipcomp tunnel4 xfrm4_tunnel xfrm_interface authenc echainiv seqiv cbc ctr gcm ccm ghash_generic aes_generic aesni_intel sha1_generic sha256_generic sha512_generic hmac md5 des3_ede_generic deflate; do
  modprobe -q "$m" 2>/dev/null
done
hostname "$GW_HOSTNAME"
ip link set lo up
ip addr add "$GW_PUBLIC_CIDR" dev eth0 && ip link set eth0 up || fail "eth0"
ip route add default via "$GW_WAN_GATEWAY" || fail "default route"
ip addr add "$GW_LAN_CIDR" dev eth1 && ip link set eth1 up || fail "eth1"
echo 1 > /proc/sys/net/ipv4/ip_forward
cp /gw/strongswan.conf /etc/strongswan.conf
/usr/sbin/sshd -f /gw/sshd_config -E /gw/sshd.log || fail "sshd"
case "$GW_IKE" in
  strongswan)
    # As Debian ships it: swanctl.conf includes conf.d/, where Gatewarden writes.
    for d in conf.d x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa ecdsa bliss pkcs8 pkcs12; do mkdir -p "/etc/swanctl/$d"; done
    printf 'include conf.d/*.conf\n' > /etc/swanctl/swanctl.conf
    setsid /usr/lib/ipsec/charon > /gw/ike.log 2>&1 < /dev/null &
    ;;
  libreswan)
    mkdir -p /etc/ipsec.d
    ipsec initnss > /gw/ike.log 2>&1 || fail "ipsec initnss"
    /usr/libexec/ipsec/pluto --config /etc/ipsec.conf --logfile /gw/ike.log || fail "pluto"
    ;;
esac
echo "gw-router-ready" > /dev/ttyS0
while :; do sleep 3600; done
