// Reading an IKE daemon's recent log, where it says why a negotiation failed: from
// journald on systemd routers and from the files the daemon or syslog may write. Both
// commands are read-only and may fail (no journald, no such file); each platform's parser
// reads what came back.
import type { Command } from "./contract";

/** How many of the newest lines are read: enough for a few negotiation attempts. */
const LINES = "400";

export function daemonLogCommands(log: { daemon: string; identifiers: string[]; files: string[]; filesAre: string }): Command[] {
  return [
    {
      argv: [
        "journalctl",
        "--quiet",
        "--no-pager",
        "--lines",
        LINES,
        "--output",
        "short",
        ...log.identifiers.flatMap((id) => ["--identifier", id]),
      ],
      description: `${log.daemon}'s last ${LINES} log lines from journald`,
      scope: "router",
      allowFailure: true,
    },
    {
      argv: ["tail", "--lines", LINES, ...log.files],
      description: `${log.daemon}'s last ${LINES} log lines from ${log.filesAre}`,
      scope: "router",
      allowFailure: true,
    },
  ];
}
