// Opens an SSH session to a gateway for a job: decrypts its credential in memory,
// pins its host key, and records what happened on the gateway (reachable, or why not,
// and a key it offered that is not the pinned one).
import "server-only";
import { decryptSecret } from "@/lib/secrets/envelope";
import { getKeyring, secretPurpose } from "@/lib/config/keyring";
import { getGatewayForConnection, recordOfferedHostKey, setGatewayReachability, type GatewayConnectionRow } from "@/lib/db/gateways";
import { openSession, type OpenSessionOptions, type SshSession } from "@/lib/ssh/session";
import { isSshError } from "@/lib/ssh/errors";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import type { RouterIO } from "@/lib/deploy/router-io";
import { noticeReverts } from "@/lib/deploy/commit-confirm/notice-reverts";

/** How a deploy, teardown or rotation reaches a router; tests wrap it to cut connections. */
export type ConnectGateway = (gatewayId: string, ctx: JobContext<unknown>) => Promise<RouterIO>;

type ConnectionFields = Pick<
  GatewayConnectionRow,
  "id" | "sshHost" | "sshPort" | "sshUser" | "sshAuthType" | "sshSecretEnc" | "sshCredential" | "hostKeyFingerprint"
>;

/** The private key or password a gateway signs in with: its named credential's current key, or its own secret. */
function gatewaySecret(gw: ConnectionFields): OpenSessionOptions["credential"] {
  if (gw.sshCredential) {
    const { id, keyVersion, privateKeyEnc } = gw.sshCredential;
    return { type: "key", privateKey: decryptSecret(privateKeyEnc, getKeyring(), secretPurpose.namedSshCredential(id, keyVersion)) };
  }
  if (gw.sshAuthType === "credential") throw new JobFailure("The gateway's named SSH credential no longer exists.");
  const secret = decryptSecret(gw.sshSecretEnc, getKeyring(), secretPurpose.sshCredential(gw.id));
  return gw.sshAuthType === "password" ? { type: "password", password: secret } : { type: "key", privateKey: secret };
}

/** How to open a session to the gateway; `privateKey` overrides its credential (a rotation proving the next key). */
export function sessionOptionsFor(gw: ConnectionFields, opts: { privateKey?: string } = {}): OpenSessionOptions {
  return {
    host: gw.sshHost,
    port: gw.sshPort,
    username: gw.sshUser,
    credential: opts.privateKey ? { type: "key", privateKey: opts.privateKey } : gatewaySecret(gw),
    pinnedFingerprint: gw.hostKeyFingerprint,
  };
}

/** Opens a session and keeps the gateway's reachability current; SSH errors are rethrown. */
export async function connectGateway(gatewayId: string, job?: JobContext<unknown>): Promise<SshSession> {
  const gw = await getGatewayForConnection(gatewayId);
  if (!gw) throw new JobFailure("The gateway no longer exists.");
  try {
    const session = await openSession(sessionOptionsFor(gw));
    // A database that cannot take this write must not leave the session open behind the error.
    await setGatewayReachability(gw.id, "ok", null).catch(async (e) => {
      await session.close();
      throw e;
    });
    // A router that restored itself since the last contact (commit-confirm) is recorded now.
    await noticeReverts(session, gw, job);
    return session;
  } catch (e) {
    if (isSshError(e)) {
      const state = e.code === "host-key-changed" || e.code === "host-key-unknown" || e.code === "auth-failed" ? e.code : "unreachable";
      await setGatewayReachability(gw.id, state, e.userMessage);
      if (e.offeredFingerprint) await recordOfferedHostKey(gw.id, e.offeredFingerprint);
    }
    throw e;
  }
}

/**
 * A job's session: once the job cannot record its progress (ctx.signal aborted), it
 * neither connects nor runs anything more on the router.
 */
export async function connectGatewayForJob(gatewayId: string, ctx: JobContext<unknown>): Promise<SshSession> {
  ctx.signal.throwIfAborted();
  try {
    return (await connectGateway(gatewayId, ctx)).stopWhen(ctx.signal);
  } catch (e) {
    if (isSshError(e)) {
      const hint = e.code === "host-key-unknown" ? " Accept the gateway's host key on its page, then deploy again." : "";
      throw new JobFailure(`${e.userMessage}${hint}`);
    }
    throw e;
  }
}
