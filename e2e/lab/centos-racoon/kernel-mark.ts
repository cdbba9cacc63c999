/**
 * On a VM lab router (real kernel IPsec) this file exists in /etc: the emulated racoon then
 * asks the kernel for transport mode where ifup's policy says so, and setkey -D lists the
 * kernel's own SAD (XFRM) instead of charon's user-space SAs. racoon.sh tests the same path.
 */
export const KERNEL_IPSEC_MARK = "/etc/gw-lab/kernel-ipsec";
