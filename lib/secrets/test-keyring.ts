// Fixed keyrings for tests of code that encrypts secrets (never used at run time).
import type { Keyring } from "./keyring";

export function testKeyring(currentId = "k1", extra: Record<string, number> = {}): Keyring {
  const keys = new Map<string, Buffer>([[currentId, Buffer.alloc(32, 1)]]);
  for (const [id, fill] of Object.entries(extra)) keys.set(id, Buffer.alloc(32, fill));
  return { currentId, keys };
}
