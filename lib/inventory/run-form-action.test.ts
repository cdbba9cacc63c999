import { describe, expect, it } from "vitest";
import { Prisma } from "@/lib/generated/sqlite/client";
import { AppError, ValidationError } from "@/lib/errors";
import { runFormAction } from "./run-form-action";

describe("runFormAction", () => {
  it("passes a result through", async () => {
    expect(await runFormAction(async () => ({ ok: true }))).toEqual({ ok: true });
  });

  it("turns an expected failure into the form's message and field errors", async () => {
    const state = await runFormAction(async () => {
      throw new ValidationError({ name: "Taken" });
    });
    expect(state).toEqual({ ok: false, message: "Please correct the highlighted fields.", fieldErrors: { name: "Taken" } });
    expect(await runFormAction(async () => Promise.reject(new AppError("x", "Nope")))).toMatchObject({ ok: false, message: "Nope" });
  });

  it.each(["P2002", "P2034"])("reports a write that lost a race with a concurrent one (%s) as a retry message", async (code) => {
    const state = await runFormAction(async () => {
      throw new Prisma.PrismaClientKnownRequestError("conflict", { code, clientVersion: "7.10.0" });
    });
    expect(state).toEqual({ ok: false, message: "Another change was saved at the same moment. Nothing was written; please submit again." });
  });

  it("rethrows anything else", async () => {
    const bug = new Error("bug");
    await expect(runFormAction(async () => Promise.reject(bug))).rejects.toBe(bug);
    const other = new Prisma.PrismaClientKnownRequestError("fk", { code: "P2003", clientVersion: "7.10.0" });
    await expect(runFormAction(async () => Promise.reject(other))).rejects.toBe(other);
  });
});
