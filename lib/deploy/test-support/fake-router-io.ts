// For unit tests of code that only schedules sessions: a RouterIO whose commands all
// succeed with no output; it records its closing in `log` and can be killed (a cut
// connection) to test replacement of dead sessions.
import type { RouterIO } from "@/lib/deploy/router-io";

export type FakeRouterIO = RouterIO & { readonly name: string; kill(): void };

export function fakeRouterIO(name: string, log: string[]): FakeRouterIO {
  let alive = true;
  return {
    name,
    exec: async () => ({ exitCode: 0, stdout: "", stderr: "" }),
    readFile: async () => null,
    uploadFile: async () => undefined,
    removeFile: async () => undefined,
    ensureDir: async () => undefined,
    get isAlive() {
      return alive;
    },
    kill: () => void (alive = false),
    close: () => {
      alive = false;
      log.push(`close ${name}`);
    },
  };
}
