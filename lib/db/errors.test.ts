import { describe, expect, it } from "vitest";
import { Prisma } from "@/lib/generated/sqlite/client";
import { Prisma as PgPrisma } from "@/lib/generated/postgres/client";
import { isLostWriteRace, toNeutralDbError, UniqueViolation, WriteConflict } from "./errors";

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
    const original = Object.assign(new Error("TransactionWriteConflict"), { name: "DriverAdapterError", cause: { kind: "TransactionWriteConflict" } });
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
