// The one way a server action runs (formbricks' authenticatedActionClient, written small):
// authenticate → authorize → validate the arguments with zod → call the use case → map
// expected failures to a result the page shows. Arguments are whatever the browser sent
// (an action is a public POST endpoint): each is checked against the action's tuple
// schema before anything reads the database, so an object where an id was expected
// never becomes a Prisma filter. Bugs still throw (error.tsx); refusals never do.
import "server-only";
import { z } from "zod";
import { requirePermission } from "@/lib/auth/session";
import type { Role } from "@/lib/auth/permissions";
import type { AuditActor } from "@/lib/db/audit";
import type { UserRecord } from "@/lib/db/users";
import { isFingerprint } from "@/lib/ssh/host-key";
import { logger } from "@/lib/log/logger";
import { toActionFailure, type ActionFailure } from "@/lib/actions/action-failure";

export type { ActionFailure } from "@/lib/actions/action-failure";

export type ActionContext = { user: UserRecord; actor: AuditActor };

// A tuple schema over unknown input: the arguments as the browser sent them.
type ArgsSchema = z.ZodType<readonly unknown[], readonly unknown[]>;

type ActionDefinition<A extends ArgsSchema, R> = {
  /** For logs: which action refused what. */
  name: string;
  /** The permission (lib/auth/permissions) and, for the refusal, what it allows. */
  can: (role: Role) => boolean;
  what: string;
  /** The arguments, in order, as a z.tuple (extra arguments are refused). */
  args: A;
  run: (ctx: ActionContext, args: z.output<A>) => Promise<R>;
};

export const MALFORMED_MESSAGE = "This request was malformed and was refused; nothing was changed. Reload the page and try again.";

const wrapped = new WeakSet<object>();

/** True for functions made by authenticatedAction (the replay test checks every action under app/). */
export function isWrappedAction(fn: unknown): boolean {
  return typeof fn === "function" && wrapped.has(fn);
}

export function authenticatedAction<A extends ArgsSchema, R>(def: ActionDefinition<A, R>) {
  const action = async (...raw: z.input<A>): Promise<R | ActionFailure> => {
    try {
      const user = await requirePermission(def.can, def.what);
      const parsed = def.args.safeParse(raw);
      if (!parsed.success) {
        // Paths and codes only: values may be anything, secrets included.
        logger.warn(
          { action: def.name, user: user.username, issues: parsed.error.issues.map((i) => `${i.path.join(".") || "args"}: ${i.code}`) },
          "malformed action arguments refused",
        );
        return { ok: false, message: MALFORMED_MESSAGE };
      }
      return await def.run({ user, actor: { id: user.id, username: user.username } }, parsed.data);
    } catch (e) {
      const failure = toActionFailure(e, def.name);
      if (failure) return failure;
      throw e;
    }
  };
  wrapped.add(action);
  return action;
}

/**
 * For the few actions that run before anyone is signed in (sign-in, first-run setup):
 * the same validation and error mapping, without the session check.
 */
export function publicAction<A extends ArgsSchema, R>(
  def: Omit<ActionDefinition<A, R>, "can" | "what" | "run"> & { run: (args: z.output<A>) => Promise<R> },
) {
  const action = async (...raw: z.input<A>): Promise<R | ActionFailure> => {
    try {
      const parsed = def.args.safeParse(raw);
      if (!parsed.success) {
        logger.warn(
          { action: def.name, issues: parsed.error.issues.map((i) => `${i.path.join(".") || "args"}: ${i.code}`) },
          "malformed action arguments refused",
        );
        return { ok: false, message: MALFORMED_MESSAGE };
      }
      return await def.run(parsed.data);
    } catch (e) {
      const failure = toActionFailure(e, def.name);
      if (failure) return failure;
      throw e;
    }
  };
  wrapped.add(action);
  return action;
}

// Argument schemas shared by the actions.

/** A row id as the app makes them (cuid or UUID): never an object, array or number. */
export { idArg } from "@/lib/http/ids";

/** An SSH host key fingerprint as Gatewarden shows them (SHA256:…). */
export const fingerprintArg = z.string().max(100).refine(isFingerprint);

/** The previous state useActionState passes first; never read. */
export const previousStateArg = z.unknown();

/** A submitted form. */
export const formDataArg = z.instanceof(FormData);
