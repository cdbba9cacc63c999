#!/usr/bin/env node
// The app's HTTP server (scripts/start.mjs runs it; `--dev` for development). It is
// Next.js's request handler behind a plain Node server for one reason: route code must
// know the TCP peer's address, and Next.js gives it none (it only fills X-Forwarded-For
// from the socket when the client sent no such header, so that header is whatever the
// client says). This server writes the peer's address into a header of its own on
// every request, overwriting any copy the client sent, and names that header in a
// process-wide global; lib/auth/request-client.ts reads it, and believes
// X-Forwarded-For only from GATEWARDEN_TRUSTED_PROXIES.
//
// Environment: PORT (3000), HOST (127.0.0.1), NODE_ENV (set by start.mjs),
// GATEWARDEN_DRAIN_SECONDS (60: how long a graceful stop waits for running jobs).
import http from "node:http";
import path from "node:path";
import next from "next";

const PEER_HEADER = "x-gatewarden-peer";
const root = path.resolve(import.meta.dirname, "..");
const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? "127.0.0.1";

const app = next({ dev, dir: root, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();
globalThis[Symbol.for("gatewarden.peerAddressHeader")] = PEER_HEADER;

const server = http.createServer((req, res) => {
  req.headers[PEER_HEADER] = req.socket.remoteAddress ?? "";
  handle(req, res).catch((error) => {
    console.error("gatewarden: request failed", error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.listen(port, hostname, () => console.log(`gatewarden: listening on http://${hostname}:${port}${dev ? " (development)" : ""}`));

// A graceful stop: stop listening (requests in flight finish), then let the app drain its
// job queue — no new jobs, running ones get up to GATEWARDEN_DRAIN_SECONDS (60) to finish;
// one still running then is resumed by the next start (lib/startup.ts onServerStop).
// A repeated signal (start.mjs forwards the one its process group also received) changes nothing.
let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`gatewarden: ${signal}: stopping`);
  server.close();
  server.closeIdleConnections();
  const onServerStop = globalThis[Symbol.for("gatewarden.onServerStop")];
  try {
    if (typeof onServerStop === "function") await onServerStop(signal);
  } catch (error) {
    console.error("gatewarden: the stop did not finish cleanly", error);
  }
  server.closeAllConnections();
  process.exit(0);
}
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => void stop(sig));
