// Queries for the first-run setup codes (stored as SHA-256 only).
import "server-only";
import { getDb, type Tx } from "@/lib/db/client";

export async function createSetupCode(id: string) {
  await getDb().setupCode.create({ data: { id } });
}

export async function setupCodeExists(tx: Tx, id: string): Promise<boolean> {
  return (await tx.setupCode.count({ where: { id } })) > 0;
}

export async function deleteSetupCodes(tx: Tx) {
  await tx.setupCode.deleteMany({});
}
