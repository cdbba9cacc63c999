// Database failures that callers expect, named without Prisma: a unique value another
// write took first, a transaction that lost a write conflict, and storage that cannot
// be written (read-only file system or database, full disk, I/O error). Only lib/db knows
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

/** The database refused to write: read-only, full, or failing storage. Nothing was written. */
export class StorageUnavailable extends Error {
  constructor(options: { cause: unknown }) {
    super("The database cannot be written", options);
    this.name = "StorageUnavailable";
  }
}

// What the driver adapters report for storage that cannot take a write. SQLite: its
// result codes (extended ones start with the primary's name). PostgreSQL: SQLSTATEs
// read_only_sql_transaction, class 53 (insufficient resources: disk full, out of
// memory) and io_error.
const SQLITE_STORAGE = /^SQLITE_(READONLY|CANTOPEN|FULL|IOERR|PERM)/;
const PG_STORAGE = /^(25006|53...|58030)$/;

function isStorageFailure(cause: unknown): boolean {
  const c = cause as { kind?: unknown; originalCode?: unknown; code?: unknown } | undefined;
  if (c?.kind === "sqlite") return typeof c.originalCode === "string" && SQLITE_STORAGE.test(c.originalCode);
  if (c?.kind === "postgres") return typeof c.code === "string" && PG_STORAGE.test(c.code);
  return false;
}

/** The driver adapter's own error, where Prisma passes one along. */
function driverCause(e: unknown): unknown {
  if (e instanceof Prisma.PrismaClientKnownRequestError) {
    return (e.meta as { driverAdapterError?: { cause?: unknown } } | undefined)?.driverAdapterError?.cause;
  }
  // Raw queries and transactions can surface the adapter's DriverAdapterError itself.
  if (e instanceof Error && e.name === "DriverAdapterError") return e.cause;
  return undefined;
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
export function isAdapterWriteConflict(e: unknown): boolean {
  if (!(e instanceof Error) || e.name !== "DriverAdapterError") return false;
  const cause = (e as { cause?: unknown }).cause;
  return typeof cause === "object" && cause !== null && (cause as { kind?: unknown }).kind === "TransactionWriteConflict";
}

/** The neutral error for a Prisma error we expect, or `e` itself. */
export function toNeutralDbError(e: unknown): unknown {
  if (isStorageFailure(driverCause(e))) return new StorageUnavailable({ cause: e });
  if (e instanceof Prisma.PrismaClientKnownRequestError) return PRISMA_CODES[e.code]?.(e) ?? e;
  if (isAdapterWriteConflict(e)) return new WriteConflict({ cause: e });
  return e;
}

/** Why the storage refused a write, in the driver's own words (e.g. "SQLITE_CANTOPEN"); null for any other error. */
export function storageFailureCode(e: unknown): string | null {
  const cause = driverCause(e instanceof StorageUnavailable ? e.cause : e);
  if (!isStorageFailure(cause)) return null;
  const c = cause as { originalCode?: unknown; code?: unknown };
  return String(c.originalCode ?? c.code);
}

/** True when a concurrent write won: what was checked before writing no longer holds, and nothing was written. */
export function isLostWriteRace(e: unknown): boolean {
  const neutral = toNeutralDbError(e);
  return neutral instanceof UniqueViolation || neutral instanceof WriteConflict;
}
