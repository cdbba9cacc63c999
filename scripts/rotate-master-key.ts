// `npm run keys:rotate`: rotates the master key that encrypts the secrets at rest (SSH
// credentials, pre-shared keys) and re-encrypts every one of them in one database
// transaction (lib/inventory/rotate-master-key.ts). Uses the database and data
// directory `npm start` uses (DATABASE_URL, GATEWARDEN_DATA_DIR, .env). A running server
// picks the new key up by itself. Exit codes: 0 done, 1 failed (nothing changed unless
// the message says otherwise), 2 bad command line.
import path from "node:path";
import { parseArgs } from "node:util";
import dotenv from "dotenv";

const USAGE = "usage: npm run keys:rotate   (no options; see README, “Master key rotation”)";
const root = path.resolve(import.meta.dirname, "..");

function fail(code: number, message: string): never {
  console.error(`keys:rotate: ${message}`);
  process.exit(code);
}

try {
  parseArgs({ args: process.argv.slice(2), strict: true, allowPositionals: false, options: {} });
} catch (e) {
  fail(2, `${(e as Error).message}\n${USAGE}`);
}

// Set variables win over .env, as for the app.
dotenv.config({ path: path.join(root, ".env"), quiet: true });
process.umask(0o077); // the key file holds the master keys

const { rotateMasterKeyAndSecrets } = await import("@/lib/inventory/rotate-master-key");
const { SecretError } = await import("@/lib/secrets/errors");
const { disconnectDb } = await import("@/lib/db/client");

const secrets = (c: { sshCredentials: number; psks: number; alertChannelSecrets: number }) =>
  `${c.sshCredentials} SSH credential(s), ${c.psks} pre-shared key(s) and ${c.alertChannelSecrets} alert channel secret(s)`;

let exitCode = 0;
try {
  const r = await rotateMasterKeyAndSecrets();
  if (r.source === "key-file") {
    console.log(`keys:rotate: key ${r.newKeyId} is the master key now (${r.file}); re-encrypted ${secrets(r.counts)} in one transaction.`);
    console.log(`keys:rotate: key ${r.retiredKeyId} is retired: it stays in the file to decrypt older backups and never encrypts again.`);
  } else if (r.counts.sshCredentials + r.counts.psks + r.counts.alertChannelSecrets > 0) {
    console.log(`keys:rotate: re-encrypted ${secrets(r.counts)} with key ${r.keyId} (GATEWARDEN_SECRET_KEY) in one transaction.`);
    console.log(
      "keys:rotate: the keys in GATEWARDEN_PREVIOUS_SECRET_KEYS now only decrypt older backups; drop them when no backup needs them.",
    );
  } else {
    console.log(
      `keys:rotate: the master key comes from GATEWARDEN_SECRET_KEY (key ${r.keyId}) and every secret already uses it, so nothing changed.\n` +
        "To rotate it: add the current key to GATEWARDEN_PREVIOUS_SECRET_KEYS as <id>:<key>, set GATEWARDEN_SECRET_KEY to a new one " +
        "(openssl rand -base64 32), restart Gatewarden with both, then run npm run keys:rotate again.",
    );
  }
} catch (e) {
  exitCode = 1;
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof SecretError && e.code === "rotation-unfinished") console.error(`keys:rotate: ${message}`);
  else console.error(`keys:rotate: failed; nothing changed (the database and the key file are as they were).\n  ${message}`);
} finally {
  await disconnectDb().catch(() => undefined);
}
process.exit(exitCode);
