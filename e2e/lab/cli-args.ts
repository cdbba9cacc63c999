// The command line of `npm run lab` (e2e/lab/cli.ts), parsed strictly per command: an
// unknown or misspelt option, or one the command does not take, is an error.
import { parseArgs } from "node:util";
import { DEFAULT_LAB_NAME, parsePlatforms, validateLabName, type Platform } from "./address-plan";
import type { LabBackend } from "./state";

export type LabCommand =
  | {
      cmd: "up";
      lab: string;
      sites: number;
      platforms: Platform[];
      backend: LabBackend;
      keepOnFailure: boolean;
      register: boolean;
      tunnels: boolean;
    }
  | { cmd: "down"; lab: string }
  | { cmd: "status"; lab: string; json: boolean };

export const LAB_USAGE =
  "usage: npm run lab -- up [--sites N] [--platforms strongswan,centos-racoon,libreswan] [--backend netns|vm] [--lab NAME] [--keep-on-failure] [--register [--tunnels]]\n" +
  "                      down [--lab NAME]\n" +
  "                      status [--lab NAME] [--json]";

const lab = { type: "string", default: DEFAULT_LAB_NAME } as const;
const flag = { type: "boolean", default: false } as const;

function labName(name: string): string {
  const error = validateLabName(name);
  if (error) throw new Error(error);
  return name;
}

/** Throws an Error saying what is wrong with `argv` (the arguments after `npm run lab --`). */
export function parseLabArgs(argv: string[]): LabCommand {
  const [cmd, ...rest] = argv;
  const strict = { args: rest, strict: true, allowPositionals: false } as const;
  if (cmd === "up") {
    const { values: v } = parseArgs({
      ...strict,
      options: {
        lab,
        sites: { type: "string", default: "2" },
        platforms: { type: "string" },
        backend: { type: "string", default: "netns" },
        "keep-on-failure": flag,
        register: flag,
        tunnels: flag,
      },
    });
    if (v.tunnels && !v.register) throw new Error("--tunnels needs --register (the tunnels are recorded in the app's database)");
    if (v.backend !== "netns" && v.backend !== "vm")
      throw new Error(`--backend is netns (namespaces, libipsec) or vm (QEMU micro-VMs, kernel IPsec), not "${v.backend}"`);
    return {
      cmd,
      lab: labName(v.lab),
      sites: Number(v.sites),
      platforms: parsePlatforms(v.platforms),
      backend: v.backend,
      keepOnFailure: v["keep-on-failure"],
      register: v.register,
      tunnels: v.tunnels,
    };
  }
  if (cmd === "down") return { cmd, lab: labName(parseArgs({ ...strict, options: { lab } }).values.lab) };
  if (cmd === "status") {
    const { values: v } = parseArgs({ ...strict, options: { lab, json: flag } });
    return { cmd, lab: labName(v.lab), json: v.json };
  }
  throw new Error(cmd === undefined ? "no command given" : `unknown command "${cmd}"`);
}
