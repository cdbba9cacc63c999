// Text of the files a lab router starts with (sshd, charon, swanctl, racoon). Pure.
// Settings follow /work/shared/notes/router-lab.md: kernel-libipsec before
// kernel-netlink, routes in table 220, a fwmark pair so IKE bypasses the tunnel,
// allow_peer_ts for host-to-host, make_before_break for PSK rotation.
import { createHash } from "node:crypto";

/**
 * sshd_config of a lab router: key-only root login on its public address. `keyDir` holds
 * the host key and authorized_keys (/etc/ssh in a namespace router; a VM router's own
 * share); `extra` lines are appended (a VM's share is owned by the host: StrictModes no).
 */
export function renderSshdConfig(opts: { listenAddress: string; port: number; keyDir?: string; extra?: string[] }): string {
  const dir = opts.keyDir ?? "/etc/ssh";
  return `# Lab router sshd (Gatewarden router lab). Key-only root login.
ListenAddress ${opts.listenAddress}
Port ${opts.port}
HostKey ${dir}/ssh_host_ed25519_key
PidFile /run/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile ${dir}/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
X11Forwarding no
PrintMotd no
Subsystem sftp internal-sftp
${(opts.extra ?? []).map((l) => `${l}\n`).join("")}`;
}

/**
 * strongswan.conf for one router's charon (passed via STRONGSWAN_CONF). A strongSwan
 * router answers as a stock one does: no aggressive-mode PSK override, and like Debian's
 * own strongswan.conf it includes /etc/strongswan.d/*.conf (the router's own /etc
 * overlay), where Gatewarden puts a setting a profile needs. The CentOS emulation's charon
 * stands in for racoon, which answers aggressive mode with a PSK by itself: it keeps the override.
 */
export function renderCharonConf(platform: string): string {
  const racoon = platform === "centos-racoon";
  return `# charon of a Gatewarden lab router: ESP in user space (kernel-libipsec, TUN ipsec0)
# because this kernel has no ESP/AH. Paths are inside the router's mount namespace.
charon {
  load = random nonce openssl aes sha1 sha2 md5 hmac kdf gmp curve25519 chapoly pem pkcs1 pkcs8 x509 pubkey kernel-libipsec kernel-netlink socket-default vici updown
  install_routes = yes
  routing_table = 220
  routing_table_prio = 220
  make_before_break = yes
${racoon ? "  # racoon answers IKEv1 aggressive mode + PSK (the CentOS initscripts default) itself.\n  i_dont_care_about_security_and_use_aggressive_mode_psk = yes\n" : ""}  retransmit_tries = 3
  retransmit_timeout = 2.0
  plugins {
    socket-default {
      fwmark = 0x42
    }
    kernel-netlink {
      fwmark = !0x42
    }
    kernel-libipsec {
      allow_peer_ts = yes
    }
  }
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
${racoon ? "" : "include /etc/strongswan.d/*.conf\n"}`;
}

export const SWANCTL_CONF = `# swanctl.conf of a Gatewarden lab router: connections live in conf.d/.
include conf.d/*.conf
`;

/**
 * swanctl as lab tooling runs it on a router: a CentOS router has none (the lab hides it, as
 * a real one answers exit 127), and its emulation drives charon through a copy of its own.
 */
export const labSwanctl = (platform: string) => (platform === "centos-racoon" ? "/usr/sbin/gw-lab-swanctl" : "swanctl");

/** CentOS racoon's stock racoon.conf (the article's Listing 4 before any ifup). */
export const RACOON_CONF = `# Racoon IKE daemon configuration file.
# See 'man racoon.conf' for a description of the format and entries.

path include "/etc/racoon";
path pre_shared_key "/etc/racoon/psk.txt";
path certificate "/etc/racoon/certs";

sainfo anonymous
{
  pfs_group 2;
  lifetime time 1 hour ;
  encryption_algorithm 3des, blowfish 448, rijndael ;
  authentication_algorithm hmac_sha1, hmac_md5 ;
  compression_algorithm deflate ;
}
`;

/** "SHA256:..." exactly as `ssh-keygen -lf` prints it, from an OpenSSH public key line. */
export function sshFingerprint(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1];
  if (!blob) throw new Error("not an OpenSSH public key line");
  const digest = createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

/** known_hosts line pinning one router's host key (no port suffix for port 22). */
export function knownHostsLine(ip: string, port: number, publicKeyLine: string): string {
  const [type, blob] = publicKeyLine.trim().split(/\s+/);
  const host = port === 22 ? ip : `[${ip}]:${port}`;
  return `${host} ${type} ${blob}`;
}
