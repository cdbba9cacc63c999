// What a VM lab router boots with (pure): its writable share's files — the addresses
// and role its init reads (net.env), sshd's config, charon's config for kernel IPsec —
// and where the guest image cache lives. The init scripts themselves are static files
// beside this one (initramfs-init.sh, router-init.sh).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { renderSshdConfig } from "../router-files";

export const VM_CACHE_DIR = process.env.GATEWARDEN_LAB_CACHE || "/var/cache/gatewarden-lab";
export const ROUTER_INIT = path.join(import.meta.dirname, "router-init.sh");

export interface GuestImage {
  vmlinux: string;
  initrd: string;
  kernelTree: string;
  etcView: string;
  libreswan: string;
  kernelVersion: string;
}

/** The cache scripts/vm-lab-install.sh builds; throws naming the script when anything is missing. */
export function guestImage(cache = VM_CACHE_DIR): GuestImage {
  const image = {
    vmlinux: path.join(cache, "vmlinux"),
    initrd: path.join(cache, "initrd.cpio.gz"),
    kernelTree: path.join(cache, "kernel"),
    etcView: path.join(cache, "etc-view"),
    libreswan: path.join(cache, "libreswan"),
  };
  const missing = Object.values(image).filter((p) => !existsSync(p));
  const qemu = ["/usr/bin/qemu-system-x86_64"].filter((p) => !existsSync(p));
  if (missing.length || qemu.length || !existsSync(path.join(cache, "kernel.version"))) {
    throw new Error(
      `the VM lab is not installed (missing: ${[...qemu, ...missing].join(", ") || "kernel.version"}): run \`scripts/vm-lab-install.sh\` as root ` +
        "(Debian's qemu-system-x86, busybox-static, cpio, kmod, xz-utils, and the guest kernel and Libreswan unpacked into the cache)",
    );
  }
  return { ...image, kernelVersion: readFileSync(path.join(cache, "kernel.version"), "utf8").trim() };
}

export type GuestIke = "strongswan" | "libreswan";

export interface GuestNet {
  hostname: string;
  publicIp: string;
  wanGateway: string;
  lanAddress: string;
  ike: GuestIke;
}

/** Sourced by router-init.sh; every value comes from the lab's own address plan. */
export function renderNetEnv(n: GuestNet): string {
  for (const v of Object.values(n)) if (!/^[A-Za-z0-9.-]+$/.test(v)) throw new Error(`unsafe guest value ${JSON.stringify(v)}`);
  return [
    `GW_HOSTNAME=${n.hostname}`,
    `GW_PUBLIC_CIDR=${n.publicIp}/24`,
    `GW_WAN_GATEWAY=${n.wanGateway}`,
    `GW_LAN_CIDR=${n.lanAddress}/24`,
    `GW_IKE=${n.ike}`,
    "",
  ].join("\n");
}

/** The namespace lab's sshd_config, with its keys on the router's own share. */
export function renderGuestSshdConfig(listenAddress: string): string {
  return renderSshdConfig({ listenAddress, port: 22, keyDir: "/gw", extra: ["StrictModes no", "UseDNS no"] });
}

/**
 * /etc/strongswan.conf of a kernel-IPsec router: SAs and policies in the kernel (XFRM),
 * routes in table 220 as charon installs them, make-before-break for PSK rotation. A
 * stock responder: no aggressive-mode PSK override, except on a CentOS router, where charon
 * stands in for racoon, which answers aggressive mode with a PSK. The short plugin lists keep
 * charon's start and swanctl's loads fast under emulation (notes/real-kernel-lab.md).
 */
export function renderGuestStrongswanConf(opts: { aggressivePskResponder?: boolean } = {}): string {
  return `# strongSwan of a Gatewarden VM lab router: kernel IPsec (XFRM), as production runs it.
charon {
  load_modular = no
  load = random nonce openssl pem pkcs1 pkcs8 x509 pubkey revocation constraints kdf kernel-netlink socket-default vici updown
  install_routes = yes
  make_before_break = yes
  retransmit_tries = 3
  retransmit_timeout = 2.0${opts.aggressivePskResponder ? "\n  # racoon's part on a lab CentOS router: IKEv1 aggressive mode + PSK as responder.\n  i_dont_care_about_security_and_use_aggressive_mode_psk = yes" : ""}
  filelog {
    lab {
      path = /run/charon.log
      time_format = %b %e %T
      default = 1
      append = yes
      flush_line = yes
    }
  }
}
swanctl {
  load = pem pkcs1 pkcs8 x509 pubkey openssl random nonce
}
`;
}
