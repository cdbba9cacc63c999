// Signs a user in the way the sign-in form does, minus the browser: the app's own
// password check (authenticate, throttling included) and a session row issued like
// startSession's; prints the cookie for the fixture to hand to a browser context.
// With firstAdmin, a database without users first gets its admin through the setup
// use case (what /setup does), so any spec can run first on a fresh database.
// No audit row: this is a test's fixture, not a person signing in.
//   runInApp("app-session.ts", ["sign-in"], { username, password, firstAdmin? })
import { serveAppCommands } from "./app-process";

export type SessionCookie = { name: string; value: string; expires: number };
export type SignInRequest = { username: string; password: string; firstAdmin?: boolean };

async function signIn({ username, password, firstAdmin }: SignInRequest): Promise<SessionCookie> {
  const { createFirstAdmin, needsSetup } = await import("@/lib/inventory/accounts");
  const { authenticate } = await import("@/lib/inventory/sign-in");
  const { issueSession, SESSION_COOKIE } = await import("@/lib/auth/issue-session");
  if (firstAdmin && (await needsSetup())) {
    try {
      // The fixture runs on the server's machine: it issues itself a setup code, as the server prints one.
      const { issueSetupCode } = await import("@/lib/inventory/setup-code");
      await createFirstAdmin({ setupCode: await issueSetupCode(), username, password, confirm: password });
    } catch (e) {
      // Another process created the admin first: sign in as it.
      if (await needsSetup()) throw e;
    }
  }
  const user = await authenticate(username, password, "e2e-fixture");
  const { token, expiresAt } = await issueSession(user.id);
  return { name: SESSION_COOKIE, value: token, expires: Math.floor(expiresAt.getTime() / 1000) };
}

serveAppCommands("app-session.ts", { "sign-in": signIn });
