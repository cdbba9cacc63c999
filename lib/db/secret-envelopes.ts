// Every column that holds a lib/secrets envelope, for a master-key rotation: gateways'
// SSH credentials, named SSH credentials' keys, every version of every tunnel's PSK (pending, active and retired) and
// alert channels' secrets (webhook signing keys, SMTP passwords).
// Ciphertexts only, with what their AAD is made of; the caller decrypts and encrypts.
import "server-only";
import { getDb, type Tx } from "@/lib/db/client";

export type StoredEnvelope =
  | { kind: "ssh-credential"; id: string; gatewayName: string; envelope: string }
  | { kind: "psk"; id: string; tunnelId: string; version: number; envelope: string }
  | { kind: "alert-channel"; id: string; channelName: string; envelope: string }
  /** A named SSH credential's current key (privateKeyEnc) or a rotation's next key (nextKeyEnc, version + 1). */
  | {
      kind: "named-ssh-credential";
      id: string;
      credentialName: string;
      field: "privateKeyEnc" | "nextKeyEnc";
      version: number;
      envelope: string;
    };

/** In a stable order (gateways by name, named SSH credentials by name, then PSKs by tunnel and version, then alert channels by name). */
export async function listStoredEnvelopes(tx: Tx): Promise<StoredEnvelope[]> {
  const [gateways, keys, channels, credentials] = await Promise.all([
    // A gateway signing in with a named credential stores no secret of its own ("").
    tx.gateway.findMany({
      where: { sshSecretEnc: { not: "" } },
      orderBy: { name: "asc" },
      select: { id: true, name: true, sshSecretEnc: true },
    }),
    tx.presharedKey.findMany({
      orderBy: [{ tunnelId: "asc" }, { version: "asc" }],
      select: { id: true, tunnelId: true, version: true, secretEnc: true },
    }),
    tx.alertChannel.findMany({
      where: { secretEnc: { not: null } },
      orderBy: { name: "asc" },
      select: { id: true, name: true, secretEnc: true },
    }),
    tx.sshCredential.findMany({
      orderBy: { name: "asc" },
      select: { id: true, name: true, keyVersion: true, privateKeyEnc: true, nextKeyEnc: true },
    }),
  ]);
  return [
    ...gateways.map((g) => ({ kind: "ssh-credential" as const, id: g.id, gatewayName: g.name, envelope: g.sshSecretEnc })),
    ...credentials.flatMap((c) => [
      {
        kind: "named-ssh-credential" as const,
        id: c.id,
        credentialName: c.name,
        field: "privateKeyEnc" as const,
        version: c.keyVersion,
        envelope: c.privateKeyEnc,
      },
      ...(c.nextKeyEnc
        ? [
            {
              kind: "named-ssh-credential" as const,
              id: c.id,
              credentialName: c.name,
              field: "nextKeyEnc" as const,
              version: c.keyVersion + 1,
              envelope: c.nextKeyEnc,
            },
          ]
        : []),
    ]),
    ...keys.map((k) => ({ kind: "psk" as const, id: k.id, tunnelId: k.tunnelId, version: k.version, envelope: k.secretEnc })),
    ...channels.map((c) => ({ kind: "alert-channel" as const, id: c.id, channelName: c.name, envelope: c.secretEnc! })),
  ];
}

/** How many envelopes are stored, and one of each kind to try the master key on. */
export async function sampleStoredEnvelopes(): Promise<{ total: number; sample: StoredEnvelope[] }> {
  const db = getDb();
  const [gateways, psks, channels, credentials, gateway, psk] = await Promise.all([
    db.gateway.count({ where: { sshSecretEnc: { not: "" } } }),
    db.presharedKey.count(),
    db.alertChannel.count({ where: { secretEnc: { not: null } } }),
    db.sshCredential.count(),
    db.gateway.findFirst({
      where: { sshSecretEnc: { not: "" } },
      orderBy: { createdAt: "asc" },
      select: { id: true, name: true, sshSecretEnc: true },
    }),
    db.presharedKey.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true, tunnelId: true, version: true, secretEnc: true } }),
  ]);
  const sample: StoredEnvelope[] = [
    ...(gateway ? [{ kind: "ssh-credential" as const, id: gateway.id, gatewayName: gateway.name, envelope: gateway.sshSecretEnc }] : []),
    ...(psk ? [{ kind: "psk" as const, id: psk.id, tunnelId: psk.tunnelId, version: psk.version, envelope: psk.secretEnc }] : []),
  ];
  return { total: gateways + psks + channels + credentials, sample };
}

/** Swaps one envelope for another; throws if the row no longer holds the one that was read. */
export async function replaceStoredEnvelope(tx: Tx, stored: StoredEnvelope, envelope: string): Promise<void> {
  if (stored.kind === "named-ssh-credential") {
    const { count } = await tx.sshCredential.updateMany({
      where: { id: stored.id, [stored.field]: stored.envelope },
      data: { [stored.field]: envelope },
    });
    if (count !== 1) throw new Error(`the ${stored.kind} envelope ${stored.id} changed while it was being re-encrypted`);
    return;
  }
  const { count } =
    stored.kind === "ssh-credential"
      ? await tx.gateway.updateMany({ where: { id: stored.id, sshSecretEnc: stored.envelope }, data: { sshSecretEnc: envelope } })
      : stored.kind === "psk"
        ? await tx.presharedKey.updateMany({ where: { id: stored.id, secretEnc: stored.envelope }, data: { secretEnc: envelope } })
        : await tx.alertChannel.updateMany({ where: { id: stored.id, secretEnc: stored.envelope }, data: { secretEnc: envelope } });
  if (count !== 1) throw new Error(`the ${stored.kind} envelope ${stored.id} changed while it was being re-encrypted`);
}
