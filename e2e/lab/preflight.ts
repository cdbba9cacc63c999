// What the router lab needs from the host before it touches anything: each lab router
// runs the host's own strongSwan and OpenSSH binaries inside its namespaces, and bind
// mounts over /etc/swanctl, so a missing package would otherwise surface half-way as
// "mount: /etc/swanctl: mount point does not exist", with namespaces already made.
import { existsSync } from "node:fs";

export interface HostRequirement {
  /** A file or directory the lab uses. */
  path: string;
  /** The Debian package that provides it. */
  pkg: string;
}

export const LAB_HOST_REQUIREMENTS: readonly HostRequirement[] = [
  { path: "/usr/lib/ipsec/charon", pkg: "strongswan-charon" },
  { path: "/usr/sbin/swanctl", pkg: "strongswan-swanctl" },
  { path: "/etc/swanctl", pkg: "strongswan-swanctl" },
  { path: "/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so", pkg: "libcharon-extra-plugins" },
  { path: "/usr/sbin/sshd", pkg: "openssh-server" },
  { path: "/usr/bin/ssh-keygen", pkg: "openssh-client" },
  { path: "/usr/bin/ip", pkg: "iproute2" },
  { path: "/usr/bin/ping", pkg: "iputils-ping" },
  { path: "/usr/bin/nsenter", pkg: "util-linux" },
];

/** The packages whose files are missing, each named once, in the order of the list. */
export function missingLabPackages(exists: (path: string) => boolean, requirements = LAB_HOST_REQUIREMENTS): string[] {
  return [...new Set(requirements.filter((r) => !exists(r.path)).map((r) => r.pkg))];
}

export function missingPackagesMessage(packages: readonly string[]): string {
  return (
    `the router lab needs Debian packages this machine lacks: ${packages.join(", ")}. ` +
    `Install them as root with \`bash scripts/install-system-deps.sh\` (or \`apt-get install ${packages.join(" ")}\`), then try again.`
  );
}

/** Throws, before any namespace or file is made, when the host lacks a package the lab uses. */
export function assertLabHostReady(exists: (path: string) => boolean = existsSync): void {
  const missing = missingLabPackages(exists);
  if (missing.length) throw new Error(missingPackagesMessage(missing));
}
