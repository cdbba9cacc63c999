// Where people reach Gatewarden: its public URL (GATEWARDEN_PUBLIC_URL, or on loopback
// http://HOST:PORT), the Host headers and Origins it answers to, and whether session
// cookies are Secure. Any other Host is refused (DNS rebinding), as is a change whose
// Origin is not one of these (lib/http/request-policy.ts). Pure; env.ts validates the
// variables and calls publicWeb once.

export type PublicWeb =
  | {
      ok: true;
      /** The public origin, e.g. https://gatewarden.example.net or http://127.0.0.1:3000. */
      origin: string;
      /**
       * Host header values accepted: the public one (on loopback with its aliases), and the
       * loopback names of the port the server listens on, which a reverse proxy on the same
       * machine may send. A DNS-rebinding page always sends its own name, never these.
       */
      hosts: string[];
      /** Origin header values accepted for changes: the public origin (on loopback, its aliases). */
      origins: string[];
      https: boolean;
      /** The app is reached on this machine only (127.0.0.0/8, ::1, localhost). */
      loopback: boolean;
      /** Whether session cookies carry Secure. */
      secureCookies: boolean;
    }
  | { ok: false; problem: string };

export type PublicWebInput = {
  publicUrl?: string;
  host: string;
  port: string;
  secureCookies: "auto" | "true" | "false";
};

const LOOPBACK_NAMES = new Set(["localhost", "[::1]", "::1"]);
const isLoopbackHostname = (h: string) => LOOPBACK_NAMES.has(h.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);

/** Why a GATEWARDEN_PUBLIC_URL value cannot be used, or null. */
export function publicUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "an absolute URL like https://gatewarden.example.net";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "an http:// or https:// URL";
  if (url.username || url.password) return "a URL without a user name or password";
  if (url.pathname !== "/" || url.search || url.hash)
    return "the URL of the site's root: no path, query or fragment (Gatewarden is served at /)";
  return null;
}

export function publicWeb(input: PublicWebInput): PublicWeb {
  let url: URL;
  if (input.publicUrl) {
    url = new URL(input.publicUrl); // env.ts has checked it with publicUrlProblem
  } else {
    const host = input.host.includes(":") && !input.host.startsWith("[") ? `[${input.host}]` : input.host;
    if (!isLoopbackHostname(host)) {
      return {
        ok: false,
        problem: `Gatewarden listens on ${input.host} (HOST), not on loopback, so it cannot tell which address people use. Set GATEWARDEN_PUBLIC_URL to it, e.g. https://gatewarden.example.net`,
      };
    }
    url = new URL(`http://${host}:${input.port}`);
  }
  const loopback = isLoopbackHostname(url.hostname);
  const https = url.protocol === "https:";
  const secureCookies = input.secureCookies === "auto" ? !loopback : input.secureCookies === "true";
  if (secureCookies && !https && !loopback) {
    return {
      ok: false,
      problem: `GATEWARDEN_PUBLIC_URL is ${url.origin}: plain HTTP beyond this machine would carry the session cookie in clear. Serve Gatewarden over HTTPS (e.g. behind a TLS reverse proxy) and set the https:// URL, or set GATEWARDEN_SECURE_COOKIES=false to accept that risk.`,
    };
  }
  const originHosts = unique([url.host, ...(loopback ? loopbackHosts(url.port) : [])]);
  const hosts = unique([...originHosts, ...loopbackHosts(input.port)]);
  return { ok: true, origin: url.origin, hosts, origins: originHosts.map((h) => `${url.protocol}//${h}`), https, loopback, secureCookies };
}

const loopbackHosts = (port: string) => ["127.0.0.1", "localhost", "[::1]"].map((h) => (port ? `${h}:${port}` : h));
const unique = (hosts: string[]) => [...new Set(hosts.map((h) => h.toLowerCase()))];
