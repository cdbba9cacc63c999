// The QEMU command line of one VM lab router (pure). Pure emulation (-accel tcg: KVM
// does not work on these machines) with a 64 MB translation cache (the 1 GiB default
// stays resident), the uncompressed vmlinux booted directly, the host's /usr and a
// sanitized /etc shared read-only over virtio-9p, the router's own writable share,
// and two NICs on taps: WAN (on the lab's internet bridge) and LAN (on the site's bridge).
import type { GuestImage } from "./guest-files";

export interface VmSpec {
  name: string;
  /** Index of the router in its lab, for stable MAC addresses. */
  index: number;
  routerDir: string;
  wanTap: string;
  lanTap: string;
  /** Per-router packages to lay over /usr and /etc (Libreswan), or null. */
  extra: string | null;
  memoryMb: number;
}

const share = (tag: string, dir: string, readonly: boolean) => [
  "-fsdev",
  `local,id=${tag},path=${dir},security_model=none,multidevs=remap${readonly ? ",readonly=on" : ""}`,
  "-device",
  `virtio-9p-pci,fsdev=${tag},mount_tag=${tag}`,
];

function mac(kind: number, index: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, "0");
  return `52:54:00:${hex(kind)}:${hex((index >> 8) & 0xff)}:${hex(index & 0xff)}`;
}

export function qemuArgv(image: GuestImage, vm: VmSpec): string[] {
  for (const v of [vm.routerDir, vm.extra ?? "", image.etcView, image.kernelTree]) {
    if (/[,\s]/.test(v)) throw new Error(`QEMU option values cannot hold commas or spaces: ${v}`);
  }
  return [
    "qemu-system-x86_64",
    "-name",
    vm.name,
    "-accel",
    "tcg,tb-size=64",
    "-m",
    String(vm.memoryMb),
    "-smp",
    "1",
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-no-reboot",
    "-serial",
    `file:${vm.routerDir}/console.log`,
    "-kernel",
    image.vmlinux,
    "-initrd",
    image.initrd,
    "-append",
    "console=ttyS0 panic=-1 quiet",
    ...share("usr", "/usr", true),
    ...share("etc", image.etcView, true),
    ...share("kmod", image.kernelTree, true),
    ...share("gw", vm.routerDir, false),
    ...(vm.extra ? share("extra", vm.extra, true) : []),
    "-netdev",
    `tap,id=wan,ifname=${vm.wanTap},script=no,downscript=no`,
    "-device",
    `virtio-net-pci,netdev=wan,mac=${mac(0xfa, vm.index)}`,
    "-netdev",
    `tap,id=lan,ifname=${vm.lanTap},script=no,downscript=no`,
    "-device",
    `virtio-net-pci,netdev=lan,mac=${mac(0xfb, vm.index)}`,
    "-pidfile",
    `${vm.routerDir}/qemu.pid`,
    "-daemonize",
  ];
}
