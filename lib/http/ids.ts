// The shape of a row id as the app makes them (cuid or UUID), for anything that arrives
// from a browser: an action's argument, a route's path or query. A string of these
// characters only, so it can never become a Prisma filter object or a wildcard.
import { z } from "zod";

export const idArg = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "not an id" });
