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
    // Job code: a promise nobody awaits is a step that can fail unseen, or a router
    // session closed under a command still running. These rules need type information,
    // so only these folders pay for a TypeScript program (projectService); the rest of
    // the tree lints without one. The parser and plugin come from next/typescript.
    files: ["lib/jobs/**/*.ts", "lib/deploy/**/*.ts", "lib/rotation/**/*.ts", "lib/health/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  {
    // Command-line programs and tests talk to their user on stdout.
    files: ["scripts/**", "e2e/**", "bench/**", "**/*.test.ts"],
    rules: { "no-console": "off" },
  },
  globalIgnores([
    ".next/**",
    "node_modules/**",
    "lib/generated/**",
    "next-env.d.ts",
    "test-results/**",
    "playwright-report/**",
    ".lab/**",
    "data/**",
  ]),
]);
