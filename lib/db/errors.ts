// Database failures that callers expect, named without Prisma: a unique value another
// write took first, and a transaction that lost a write conflict. Only lib/db knows
// Prisma's error codes; the rest of the app sees these classes.
import "server-only";
import { Prisma } from "@/lib/generated/sqlite/client";

/** A unique column (a name, an address, a lock) already holds this value. */
export class UniqueViolation extends Error {
  constructor(options: { cause: unknown }) {
    super("A unique value was taken by another write", options);
    this.name = "UniqueViolation";
  }
}

/** The transaction conflicted with a concurrent one (serialization failure or deadlock); nothing was written. */
export class WriteConflict extends Error {
  constructor(options: { cause: unknown }) {
    super("The transaction lost a write conflict with a concurrent one", options);
    this.name = "WriteConflict";
  }
}

// Both generated clients (SQLite and PostgreSQL) throw the one runtime's error class.
const PRISMA_CODES: Record<string, (cause: unknown) => Error> = {
  P2002: (cause) => new UniqueViolation({ cause }),
  P2034: (cause) => new WriteConflict({ cause }),
};

/**
 * A serialization failure or deadlock as the PostgreSQL driver adapter reports it
 * (SQLSTATE 40001/40P01). Prisma wraps it as P2034 inside a query, but one raised at
 * COMMIT of an interactive transaction arrives as the adapter's own error.
 */
function isAdapterWriteConflict(e: unknown): boolean {
  if (!(e instanceof Error) || e.name !== "DriverAdapterError") return false;
  const cause = (e as { cause?: unknown }).cause;
  return typeof cause === "object" && cause !== null && (cause as { kind?: unknown }).kind === "TransactionWriteConflict";
}

/** The neutral error for a Prisma error we expect, or `e` itself. */
export function toNeutralDbError(e: unknown): unknown {
  if (e instanceof Prisma.PrismaClientKnownRequestError) return PRISMA_CODES[e.code]?.(e) ?? e;
  if (isAdapterWriteConflict(e)) return new WriteConflict({ cause: e });
  return e;
}

/** True when a concurrent write won: what was checked before writing no longer holds, and nothing was written. */
export function isLostWriteRace(e: unknown): boolean {
  const neutral = toNeutralDbError(e);
  return neutral instanceof UniqueViolation || neutral instanceof WriteConflict;
}
