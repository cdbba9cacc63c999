// ESLint: Next.js core-web-vitals and TypeScript rules over the whole tree.
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    // Command-line programs and tests talk to their user on stdout.
    files: ["scripts/**", "e2e/**", "bench/**", "**/*.test.ts"],
    rules: { "no-console": "off" },
  },
  globalIgnores([".next/**", "node_modules/**", "lib/generated/**", "next-env.d.ts", "test-results/**", "playwright-report/**", ".lab/**", "data/**"]),
]);
