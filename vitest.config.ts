// Two projects: fast pure unit tests (colocated *.test.ts) and integration tests
// (*.int.test.ts) that use a real database, real sshd/strongSwan routers in the lab,
// and therefore run one file at a time per process with generous timeouts (npm test runs two
// such processes side by side: scripts/integration-lanes.mjs).
import { defineConfig } from "vitest/config";
import path from "node:path";

// server-only throws outside the react-server condition; tests import server modules directly.
const alias = {
  "@": path.resolve(import.meta.dirname),
  "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
};

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "e2e/lab/**/*.test.ts", "components/**/*.test.ts", "bench/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "node_modules/**"],
          environment: "node",
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude: ["node_modules/**"],
          environment: "node",
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
