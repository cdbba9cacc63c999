import { describe, expect, it } from "vitest";
import { Prisma } from "@/lib/generated/sqlite/client";
import { Prisma as PgPrisma } from "@/lib/generated/postgres/client";
import { isLostWriteRace, StorageUnavailable, toNeutralDbError, UniqueViolation, WriteConflict } from "./errors";

const prismaError = (code: string, P: typeof Prisma | typeof PgPrisma = Prisma) =>
  new P.PrismaClientKnownRequestError(`failed with ${code}`, { code, clientVersion: "7.10.0" });

describe("toNeutralDbError", () => {
  it("maps a unique-constraint failure (P2002) to UniqueViolation, keeping the original as cause", () => {
    const original = prismaError("P2002");
    const neutral = toNeutralDbError(original);
    expect(neutral).toBeInstanceOf(UniqueViolation);
    expect((neutral as Error).cause).toBe(original);
  });

  it("maps a transaction write conflict or deadlock (P2034) to WriteConflict", () => {
    expect(toNeutralDbError(prismaError("P2034"))).toBeInstanceOf(WriteConflict);
  });

  it("maps the PostgreSQL client's errors the same way", () => {
    expect(toNeutralDbError(prismaError("P2002", PgPrisma))).toBeInstanceOf(UniqueViolation);
  });

  it("maps a serialization failure the PostgreSQL adapter throws unwrapped (at COMMIT) to WriteConflict", () => {
    // What @prisma/adapter-pg throws for SQLSTATE 40001/40P01 when Prisma passes it through as is.
    const original = Object.assign(new Error("TransactionWriteConflict"), {
      name: "DriverAdapterError",
      cause: { kind: "TransactionWriteConflict" },
    });
    const neutral = toNeutralDbError(original);
    expect(neutral).toBeInstanceOf(WriteConflict);
    expect((neutral as Error).cause).toBe(original);
    const otherKind = Object.assign(new Error("TableDoesNotExist"), { name: "DriverAdapterError", cause: { kind: "TableDoesNotExist" } });
    expect(toNeutralDbError(otherKind)).toBe(otherKind);
  });

  it("returns every other error unchanged", () => {
    const other = prismaError("P2003");
    expect(toNeutralDbError(other)).toBe(other);
    const plain = Object.assign(new Error("not from Prisma"), { code: "P2002" });
    expect(toNeutralDbError(plain)).toBe(plain);
    expect(toNeutralDbError("text")).toBe("text");
  });
});

describe("isLostWriteRace", () => {
  it("is true for unique violations and write conflicts only", () => {
    expect(isLostWriteRace(prismaError("P2002"))).toBe(true);
    expect(isLostWriteRace(prismaError("P2034"))).toBe(true);
    expect(isLostWriteRace(prismaError("P2025"))).toBe(false);
    expect(isLostWriteRace(new Error("boom"))).toBe(false);
  });
});

describe("storage that cannot be written", () => {
  // What the driver adapters report, as Prisma 7 wraps it (P2039 with the driver's error).
  const adapterError = (cause: Record<string, unknown>, P: typeof Prisma | typeof PgPrisma = Prisma) =>
    new P.PrismaClientKnownRequestError("driver adapter error", {
      code: "P2039",
      clientVersion: "7.10.0",
      meta: { modelName: "Site", driverAdapterError: { name: "DriverAdapterError", cause } },
    });

  it.each([
    ["SQLITE_READONLY", "attempt to write a readonly database"],
    ["SQLITE_READONLY_DBMOVED", "attempt to write a readonly database"],
    ["SQLITE_CANTOPEN", "unable to open database file"],
    ["SQLITE_FULL", "database or disk is full"],
    ["SQLITE_IOERR_WRITE", "disk I/O error"],
  ])("maps SQLite's %s to StorageUnavailable", (originalCode, originalMessage) => {
    const e = adapterError({ kind: "sqlite", originalCode, originalMessage, extendedCode: 1 });
    expect(toNeutralDbError(e)).toBeInstanceOf(StorageUnavailable);
  });

  it.each(["25006", "53100", "53000", "58030"])("maps PostgreSQL's SQLSTATE %s to StorageUnavailable", (code) => {
    expect(toNeutralDbError(adapterError({ kind: "postgres", code, severity: "ERROR", message: "x" }, PgPrisma))).toBeInstanceOf(
      StorageUnavailable,
    );
  });

  it("leaves other driver errors alone", () => {
    const busy = adapterError({ kind: "sqlite", originalCode: "SQLITE_CONSTRAINT_CHECK", originalMessage: "x" });
    expect(toNeutralDbError(busy)).toBe(busy);
    const pg = adapterError({ kind: "postgres", code: "42P01", message: "no table" }, PgPrisma);
    expect(toNeutralDbError(pg)).toBe(pg);
  });
});
