// The specs' `test`: Playwright's, plus signing in through the app instead of replaying
// the sign-in form (documenso's authentication fixture). `adminPage` is the test's page
// already signed in as the admin; the admin is created on a fresh database, so any
// spec runs alone. Specs that test the forms themselves (setup, sign-in) keep them.
import { test as base, type BrowserContext, type Page } from "@playwright/test";
import { ADMIN } from "../helpers";
import { runInApp } from "./app-process";
import type { SessionCookie, SignInRequest } from "./app-session";

export { expect } from "@playwright/test";

export async function appSession(who: SignInRequest): Promise<SessionCookie> {
  return runInApp<SessionCookie>("app-session.ts", ["sign-in"], who);
}

/** Signs `who` in through the app and hands the session cookie to the context's pages. */
export async function signInThroughApp(context: BrowserContext, baseURL: string, who: { username: string; password: string }) {
  await addSessionCookie(context, baseURL, await appSession(who));
}

async function addSessionCookie(context: BrowserContext, baseURL: string, cookie: SessionCookie) {
  await context.addCookies([{ ...cookie, url: baseURL, httpOnly: true, sameSite: "Lax" }]);
}

// (Fixture callbacks name Playwright's `use` `provide`: React's hook lint owns the name.)
export const test = base.extend<{ adminPage: Page }, { adminSession: SessionCookie }>({
  // One admin session per worker: signing in is the fixture's job, not each test's.
  adminSession: [
    async ({}, provide) => {
      await provide(await appSession({ ...ADMIN, firstAdmin: true }));
    },
    { scope: "worker" },
  ],
  adminPage: async ({ page, context, adminSession, baseURL }, provide) => {
    await addSessionCookie(context, baseURL!, adminSession);
    await provide(page);
  },
});
