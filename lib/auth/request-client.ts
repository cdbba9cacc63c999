// The client of the current request (a server action or route handler), through
// lib/auth/client-address. Next.js gives route code no socket: the app's own server
// (scripts/serve.mjs, what `npm start` runs) writes the TCP peer's address into a
// header of its own, overwriting anything a client sent under that name, and says which
// header in a process-wide global. Served any other way (`next start`), that header
// could be forged, so it is not read and the client is "unknown".
import "server-only";
import { headers } from "next/headers";
import { getEnv } from "@/lib/config/env";
import { resolveClientAddress, viaTrustedProxy } from "@/lib/auth/client-address";
import { logger } from "@/lib/log/logger";

const PEER_HEADER_GLOBAL = Symbol.for("gatewarden.peerAddressHeader");

function peerHeaderName(): string | undefined {
  const name = (globalThis as Record<symbol, unknown>)[PEER_HEADER_GLOBAL];
  return typeof name === "string" ? name : undefined;
}

let warned = false;

export type RequestClient = {
  /** The client's address, or "unknown" when the app runs without scripts/serve.mjs. */
  address: string;
  /** X-Forwarded-Proto, only when a trusted proxy sent the request. */
  forwardedProto: string | null;
};

export async function getRequestClient(): Promise<RequestClient> {
  const h = await headers();
  const name = peerHeaderName();
  if (!name && !warned) {
    warned = true;
    logger.warn(
      "the app is not served by scripts/serve.mjs (npm start): client addresses are unknown, so sign-in delays cannot tell clients apart",
    );
  }
  const peer = name ? (h.get(name) ?? undefined) : undefined;
  const proxies = getEnv().trustedProxies;
  return {
    address: resolveClientAddress({ peer, forwardedFor: h.get("x-forwarded-for") }, proxies),
    forwardedProto: viaTrustedProxy(peer, proxies) ? h.get("x-forwarded-proto") : null,
  };
}
