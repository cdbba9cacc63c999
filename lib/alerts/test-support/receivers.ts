// Real receivers on loopback for the alert integration tests: an HTTP server that
// records every request (and answers as told), and an SMTP sink (the smtp-server
// package, by nodemailer's authors) that checks the login and keeps each message.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export type Received = { at: number; headers: IncomingHttpHeaders; body: string };

export async function startHttpReceiver(answer: "ok" | "fail" | "hang" = "ok") {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      requests.push({ at: Date.now(), headers: req.headers, body });
      if (answer === "hang") return; // never answers: the sender's timeout must end it
      res.writeHead(answer === "ok" ? 204 : 500).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export type Mail = { from: string; to: string[]; user: string | undefined; raw: string };

export async function startSmtpSink(credentials: { username: string; password: string }) {
  const mails: Mail[] = [];
  const logins: { username: string; ok: boolean }[] = [];
  const server = new SMTPServer({
    // Plain SMTP on loopback: no certificate to trust, so no STARTTLS offered, and AUTH allowed without TLS.
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, cb) {
      const ok = auth.username === credentials.username && auth.password === credentials.password;
      logins.push({ username: auth.username ?? "", ok });
      if (!ok) return cb(new Error("Invalid username or password"));
      cb(null, { user: auth.username });
    },
    onData(stream, session, cb) {
      let raw = "";
      stream.setEncoding("utf8");
      stream.on("data", (c: string) => (raw += c));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw,
        });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, logins, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
