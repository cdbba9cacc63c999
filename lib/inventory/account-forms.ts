// The account forms' input, checked with zod: a new user, a new password for an
// existing one. A password is judged against the user name it belongs to
// (lib/auth/password-policy), and the reason lands on the password field.
import { z } from "zod";
import { usernameSchema } from "@/lib/domain/names";
import { passwordSchema } from "@/lib/secrets/password";
import { passwordWeakness } from "@/lib/auth/password-policy";
import { ROLES } from "@/lib/auth/permissions";

/** Adds the strength and confirmation checks of `password` (judged for `username`) to a schema's refinements. */
function checkNewPassword(v: { password: string; confirm: string }, username: string, ctx: z.RefinementCtx) {
  const weakness = passwordWeakness(v.password, username);
  if (weakness) ctx.addIssue({ code: "custom", path: ["password"], message: weakness });
  if (v.password !== v.confirm) ctx.addIssue({ code: "custom", path: ["confirm"], message: "The two passwords differ" });
}

// No default: a request without a role is refused rather than given one.
export const roleSchema = z.enum(ROLES, { error: "Choose a role: admin, operator or viewer" });

export const newUserSchema = z
  .object({ username: usernameSchema, password: passwordSchema, confirm: z.string(), role: roleSchema })
  .superRefine((v, ctx) => checkNewPassword(v, v.username, ctx));

export const firstAdminSchema = z
  .object({
    setupCode: z
      .string({ error: "Enter the setup code" })
      .trim()
      .min(1, { error: "Enter the setup code from the server's console or log" })
      .max(64),
    username: usernameSchema,
    password: passwordSchema,
    confirm: z.string(),
  })
  .superRefine((v, ctx) => checkNewPassword(v, v.username, ctx));

export const roleChangeSchema = z.object({ role: roleSchema });

/** An admin's new password for `username`. */
export const passwordResetSchema = (username: string) =>
  z.object({ password: passwordSchema, confirm: z.string() }).superRefine((v, ctx) => checkNewPassword(v, username, ctx));

/** `username` changing their own password: the current one first. */
export const passwordChangeSchema = (username: string) =>
  z
    .object({
      current: z.string().min(1, { error: "Enter your current password" }).max(256),
      password: passwordSchema,
      confirm: z.string(),
    })
    .superRefine((v, ctx) => {
      checkNewPassword(v, username, ctx);
      if (v.password === v.current)
        ctx.addIssue({ code: "custom", path: ["password"], message: "Choose a password other than the current one" });
    });

/** A user id from a form or an action argument. */
export const userIdSchema = z.string({ error: "No user given" }).trim().min(1).max(64);
