// Rotating a named SSH credential across every gateway that signs in with it, as one job:
//   1. a new ed25519 key pair, stored (encrypted) as the credential's next key before any
//      router sees it;
//   2. on each gateway, signed in with the current key: the next key's line added to the
//      authorized_keys file (SFTP, written beside it and renamed over it, mode 0600), then
//      a fresh login with the next key proves sshd accepts it;
//   3. only when every gateway accepted it: the next key becomes the current one (one
//      transaction, audited);
//   4. on each gateway, signed in with the new key: the old key's line removed.
// A failure in 2 removes the next key again from the gateways that got it, so the current
// key is the only one anywhere, and says which gateways hold what. A failure in 4 leaves
// the new key working everywhere and names the gateways where the old one is still accepted.
import "server-only";
import { decryptSecret, encryptSecret } from "@/lib/secrets/envelope";
import { getKeyring, secretPurpose } from "@/lib/config/keyring";
import { runInTransaction } from "@/lib/db/client";
import { recordAudit, recordAuditEvent, type AuditActor } from "@/lib/db/audit";
import { getGatewayForConnection } from "@/lib/db/gateways";
import { getSshCredentialForRotation, promoteNextKey, setNextKey } from "@/lib/db/ssh-credentials";
import { sessionOptionsFor } from "@/lib/deploy/connect";
import { enqueueJob } from "@/lib/jobs/runtime";
import { JobFailure, type JobContext } from "@/lib/jobs/types";
import { addAuthorizedKey, hasAuthorizedKey, parsePublicKeyLine, removeAuthorizedKey, type PublicKeyLine } from "@/lib/ssh/authorized-keys";
import { generateEd25519KeyPair } from "@/lib/ssh/keys";
import { openSession, type SshSession } from "@/lib/ssh/session";
import { AppError } from "@/lib/errors";
import { credentialComment, resolveAuthorizedKeysPath } from "./credential-form";

export type RotateCredentialParams = { credentialId: string };
export type ConnectForJob = (gatewayId: string, ctx: JobContext<unknown>) => Promise<SshSession>;

const messageOf = (e: unknown) => (e instanceof AppError ? e.userMessage : e instanceof Error ? e.message : String(e));

/** Queues the rotation; refuses a credential whose gateways Gatewarden cannot yet verify. */
export async function startCredentialRotation(actor: AuditActor, credentialId: string): Promise<string> {
  const cred = await getSshCredentialForRotation(credentialId);
  if (!cred) throw new AppError("not_found", "This credential no longer exists.");
  const unpinned = cred.gateways.filter((g) => !g.hostKeyFingerprint).map((g) => g.name);
  if (unpinned.length) throw new AppError("host_key", `Accept the SSH host key of ${unpinned.join(", ")} on the gateway page first.`);
  return enqueueJob({ kind: "rotate-credential", targetType: "ssh-credential", targetId: credentialId, params: { credentialId }, actor });
}

/** One edit of the authorized_keys file on a router, signed in with whatever key the session used. */
async function editAuthorizedKeys(
  s: SshSession,
  keysPath: string,
  gatewayName: string,
  edit: (text: string, path: string) => string | null,
): Promise<void> {
  const path = resolveAuthorizedKeysPath(await s.homeDir(), keysPath);
  const text = await s.readFile(path);
  if (text === null) {
    throw new JobFailure(
      `${path} does not exist on ${gatewayName}: set the credential's authorized_keys path to the file the router's sshd reads.`,
    );
  }
  const next = edit(text, path);
  if (next !== null && next !== text) await s.uploadFile({ path, content: next, mode: 0o600 });
}

export async function rotateCredential(ctx: JobContext<RotateCredentialParams>, connect: ConnectForJob): Promise<unknown> {
  const cred = await getSshCredentialForRotation(ctx.params.credentialId);
  if (!cred) throw new JobFailure("The credential no longer exists.");
  const unpinned = cred.gateways.filter((g) => !g.hostKeyFingerprint).map((g) => g.name);
  if (unpinned.length) throw new JobFailure(`Accept the SSH host key of ${unpinned.join(", ")} first; nothing was changed.`);
  const ring = getKeyring();
  const version = cred.keyVersion;
  ctx.addSecret(decryptSecret(cred.privateKeyEnc, ring, secretPurpose.namedSshCredential(cred.id, version)));
  const current = parsePublicKeyLine(cred.publicKey);

  // The next key: the one an interrupted or half-undone rotation kept (routers may hold it), or a new one.
  let nextPrivate: string;
  let next: PublicKeyLine;
  if (cred.nextKeyEnc && cred.nextPublicKey) {
    nextPrivate = decryptSecret(cred.nextKeyEnc, ring, secretPurpose.namedSshCredential(cred.id, version + 1));
    next = parsePublicKeyLine(cred.nextPublicKey);
    await ctx.log("info", `Continuing with the next key an earlier rotation stored (${next.fingerprint}).`);
  } else {
    const pair = generateEd25519KeyPair({ comment: credentialComment(cred.name, version + 1) });
    nextPrivate = pair.privateKey;
    next = parsePublicKeyLine(pair.publicKey);
    await setNextKey(cred.id, version, {
      enc: encryptSecret(pair.privateKey, ring, secretPurpose.namedSshCredential(cred.id, version + 1)),
      publicKey: next.line,
    });
    await ctx.log("info", `Generated the next key of ${cred.name}: ${next.fingerprint} (current: ${current.fingerprint}).`);
  }
  ctx.addSecret(nextPrivate);
  const names = cred.gateways.map((g) => g.name);
  /** Removes `blob`'s line from each gateway's authorized_keys, one step each; returns the gateways it could not reach. */
  const removeKeyFrom = async (gateways: typeof cred.gateways, blob: string, step: (name: string) => string): Promise<string[]> => {
    const failed: string[] = [];
    for (const gw of gateways) {
      try {
        await ctx.step(step(gw.name), gw.id, async () => {
          const s = await connect(gw.id, ctx);
          try {
            await editAuthorizedKeys(s, cred.authorizedKeysPath, gw.name, (text) => removeAuthorizedKey(text, blob).text);
          } finally {
            await s.close();
          }
        });
      } catch {
        failed.push(gw.name);
      }
    }
    return failed;
  };

  // 2. Add and prove, gateway by gateway.
  const touched: (typeof cred.gateways)[number][] = [];
  let failure: { gateway: string; message: string } | null = null;
  for (const gw of cred.gateways) {
    try {
      await ctx.step(`add the next key on ${gw.name}`, gw.id, async () => {
        const s = await connect(gw.id, ctx);
        try {
          await editAuthorizedKeys(s, cred.authorizedKeysPath, gw.name, (text, path) => {
            if (!hasAuthorizedKey(text, current.blob)) {
              throw new JobFailure(
                `The current key (${current.fingerprint}) is not in ${path} on ${gw.name}, so that is not the file its sshd reads for this user: set the credential's authorized_keys path.`,
              );
            }
            touched.push(gw); // from here the file may hold the next key: undo it on failure
            return addAuthorizedKey(text, next.line).text;
          });
        } finally {
          await s.close();
        }
      });
      await ctx.step(`sign in to ${gw.name} with the next key`, gw.id, async () => {
        ctx.signal.throwIfAborted();
        const row = await getGatewayForConnection(gw.id);
        if (!row) throw new JobFailure(`${gw.name} no longer exists.`);
        const s = await openSession(sessionOptionsFor(row, { privateKey: nextPrivate }));
        try {
          await s.exec(["true"]);
        } finally {
          await s.close();
        }
      });
    } catch (e) {
      failure = { gateway: gw.name, message: ctx.redact(messageOf(e)) };
      break;
    }
  }

  if (failure) {
    const stillHoldNext = await removeKeyFrom(touched, next.blob, (name) => `remove the next key from ${name} again`);
    // A router that may still hold the next key keeps it stored, so running Rotate again finishes or undoes it.
    if (!stillHoldNext.length) await setNextKey(cred.id, version, null);
    const undone = touched.map((g) => g.name).filter((n) => !stillHoldNext.includes(n));
    const outcome =
      `Every gateway (${names.join(", ")}) still signs in with the current key ${current.fingerprint}.` +
      (undone.length ? ` The next key was removed again from ${undone.join(", ")}.` : "") +
      (stillHoldNext.length
        ? ` ${stillHoldNext.join(", ")} could not be reached to remove the next key (${next.fingerprint}): it is still in their authorized_keys as well; Gatewarden kept it, and Rotate again finishes the rotation with it.`
        : "");
    await recordAuditEvent(ctx.actor, {
      action: "credential.rotate.failed",
      targetType: "ssh-credential",
      targetId: cred.id,
      summary: `Rotation of SSH credential ${cred.name} failed at ${failure.gateway}: ${failure.message} ${outcome}`,
      after: {
        current: current.fingerprint,
        next: next.fingerprint,
        failedAt: failure.gateway,
        currentKeyOn: names,
        nextKeyAlsoOn: stillHoldNext,
      },
    });
    throw new JobFailure(`Rotating ${cred.name} stopped at ${failure.gateway}: ${failure.message} ${outcome}`);
  }

  // 3. Every gateway accepted the next key: it becomes the credential's key.
  await runInTransaction(async (tx) => {
    await promoteNextKey(tx, cred.id, version, next.fingerprint);
    await recordAudit(tx, ctx.actor, {
      action: "credential.rotate",
      targetType: "ssh-credential",
      targetId: cred.id,
      summary: `Rotated SSH credential ${cred.name} on ${names.length} gateway(s) (${names.join(", ")}): ${current.fingerprint} → ${next.fingerprint}`,
      before: { fingerprint: current.fingerprint },
      after: { fingerprint: next.fingerprint, gateways: names },
    });
  });
  await ctx.log("info", `${cred.name} now signs in with ${next.fingerprint} on ${names.length} gateway(s); removing the old key.`);

  // 4. Remove the old key, signed in with the new one.
  const oldStill = await removeKeyFrom(cred.gateways, current.blob, (name) => `remove the old key from ${name}`);
  if (oldStill.length) {
    const summary = `${cred.name} signs in with the new key ${next.fingerprint} everywhere, but the old key ${current.fingerprint} is still accepted by ${oldStill.join(", ")}: remove its line (comment ${current.line.split(" ")[2] ?? "none"}) from the authorized_keys file there.`;
    await recordAuditEvent(ctx.actor, {
      action: "credential.rotate.cleanup-failed",
      targetType: "ssh-credential",
      targetId: cred.id,
      summary,
    });
    throw new JobFailure(summary);
  }
  return { credential: cred.name, before: current.fingerprint, after: next.fingerprint, gateways: names };
}
