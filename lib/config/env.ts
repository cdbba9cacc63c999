// Runtime configuration, read once from the environment and validated with zod so a
// typo in a variable fails at start-up with a clear message instead of at first use.
import path from "node:path";
import { z } from "zod";
import { parseTrustedProxies, type TrustedProxies } from "@/lib/auth/client-address";
import { isCidr, parseCidr, type Cidr } from "@/lib/domain/ip";
import { publicUrlProblem, publicWeb, type PublicWeb } from "@/lib/config/public-web";
import { DEFAULT_RECOVERY_BACKOFF_SECONDS, parseBackoff } from "@/lib/rotation/recovery-schedule";
import { DEFAULT_PARALLEL_GATEWAYS } from "@/lib/deploy/fleet-plan";

const envSchema = z.object({
  DATABASE_URL: z.string().trim().optional(),
  GATEWARDEN_DATA_DIR: z.string().trim().default("./data"),
  GATEWARDEN_KEY_DIR: z.string().trim().optional(),
  GATEWARDEN_SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  GATEWARDEN_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  GATEWARDEN_SECURE_COOKIES: z.enum(["auto", "true", "false"]).default("auto"),
  GATEWARDEN_HEALTH_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  GATEWARDEN_MANAGEMENT_CHECK_SECONDS: z.coerce.number().int().min(10).max(86_400).default(180),
  GATEWARDEN_HEALTH_ROUND_WAIT_SECONDS: z.coerce.number().int().min(1).max(600).default(5),
  GATEWARDEN_DEPLOY_BACKUPS_KEPT: z.coerce.number().int().min(1).max(1000).default(10),
  GATEWARDEN_DRAIN_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  // Routers a deploy, rotation or teardown works on at once (lib/deploy/fleet-plan), like Ansible's forks.
  GATEWARDEN_PARALLEL_GATEWAYS: z.coerce.number().int().min(1).max(256).default(DEFAULT_PARALLEL_GATEWAYS),
  // Router-side commit-confirm window of a deploy (lib/deploy/commit-confirm); 0 turns it off.
  GATEWARDEN_COMMIT_CONFIRM_SECONDS: z.coerce.number().int().min(0).max(86_400).default(120),
  /** Seconds between the recovery attempts of a stuck rotation (lib/rotation/recovery-schedule.ts). */
  GATEWARDEN_RECOVERY_BACKOFF_SECONDS: z
    .string()
    .default(DEFAULT_RECOVERY_BACKOFF_SECONDS.join(","))
    .refine((s) => parseBackoff(s) !== null, { message: "whole seconds (1 to 86400) separated by commas, e.g. 30,120,600" })
    .transform((s) => parseBackoff(s)!),
  // Reverse proxies whose X-Forwarded-For is believed: CIDR ranges or addresses, by commas or spaces.
  GATEWARDEN_TRUSTED_PROXIES: z.string().default(""),
  /** IPv4 networks an admin allows as SSH targets although they are loopback, link-local or this server's. */
  GATEWARDEN_ALLOW_SSH_TARGETS: z
    .string()
    .default("")
    .transform((s) => s.split(/[\s,]+/).filter(Boolean))
    .refine((list) => list.every(isCidr), { message: "a list of IPv4 networks in CIDR form, e.g. 127.0.0.1/32,169.254.0.0/16" }),
  /** Where people reach the app (lib/config/public-web.ts); unset: http://HOST:PORT when that is loopback. */
  GATEWARDEN_PUBLIC_URL: z
    .string()
    .trim()
    .optional()
    .superRefine((v, ctx) => {
      const problem = v ? publicUrlProblem(v) : null;
      if (problem) ctx.addIssue({ code: "custom", message: `must be ${problem}` });
    }),
  /** What scripts/start.mjs passes to `next start -H/-p` (its defaults too). */
  HOST: z.string().trim().default("127.0.0.1"),
  PORT: z.string().trim().default("3000"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** GET /metrics for Prometheus (README, Metrics): off unless 1; a metrics-scoped API token is needed either way. */
  GATEWARDEN_METRICS: z.enum(["0", "1"], { message: "0 (off, the default) or 1 (serve GET /metrics)" }).default("0"),
});

export type AppEnv = {
  databaseKind: "sqlite" | "postgres";
  databaseUrl: string;
  dataDir: string;
  /** Where secret.key lives: the data directory unless GATEWARDEN_KEY_DIR puts it elsewhere (so a copy of the data is not enough to decrypt it). */
  keyDir: string;
  sessionTtlHours: number;
  /** A session unused this long ends (lib/auth/session.ts). */
  sessionIdleMinutes: number;
  /** Resolved from GATEWARDEN_SECURE_COOKIES and the public URL: "auto" never remains (Secure unless on loopback). */
  secureCookies: "auto" | "true" | "false";
  /** The public URL, accepted hosts and origins (lib/config/public-web.ts), or why the server cannot serve. */
  web: PublicWeb;
  /** Seconds between two health rounds over every deployed tunnel (lib/health/poller). */
  healthIntervalSeconds: number;
  /** Health opens a fresh SSH connection to each gateway at least this often, to prove it can still be managed (lib/health/management). */
  managementCheckSeconds: number;
  /** How long a scheduled health round waits for a slow gateway before the next round is scheduled; its tunnels are judged when it answers. */
  healthRoundWaitSeconds: number;
  /** Deploy backups kept on each router, the newest first (lib/deploy/prune-backups); at least the one just made. */
  deployBackupsKept: number;
  /** On a graceful stop, how long running jobs may take to finish before the process exits anyway (lib/startup.ts). */
  drainSeconds: number;
  /** Routers a fleet operation works on at once, each over its own SSH session (its phases' steps run this many at a time). */
  parallelGateways: number;
  /** Seconds a router waits for Gatewarden's confirmation before it restores its previous configuration by itself; 0: no timer. */
  commitConfirmSeconds: number;
  /** Waits between a stuck rotation's recovery attempts, in seconds (the first attempt runs at once). */
  recoveryBackoffSeconds: number[];
  /** Peers whose X-Forwarded-For is read (lib/auth/client-address); none by default. */
  trustedProxies: TrustedProxies;
  /** SSH targets allowed although loopback, link-local or this server's own (lib/ssh/target-policy). */
  sshTargetAllowance: Cidr[];
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  /** GET /metrics is served (and health rounds keep the traffic totals it reports). */
  metricsEnabled: boolean;
};

export function parseEnv(source: Record<string, string | undefined>): AppEnv {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid Gatewarden configuration:\n${lines.join("\n")}`);
  }
  const e = result.data;
  const dataDir = path.resolve(e.GATEWARDEN_DATA_DIR);
  const url = e.DATABASE_URL ?? "";
  const web = publicWeb({
    publicUrl: e.GATEWARDEN_PUBLIC_URL || undefined,
    host: e.HOST,
    port: e.PORT,
    secureCookies: e.GATEWARDEN_SECURE_COOKIES,
  });
  const isPostgres = /^postgres(ql)?:\/\//.test(url);
  if (url && !isPostgres && !url.startsWith("file:")) {
    throw new Error(
      "Invalid Gatewarden configuration:\n  DATABASE_URL: use postgresql://… or file:… (or leave it unset for the embedded SQLite database)",
    );
  }
  const proxies = parseTrustedProxies(e.GATEWARDEN_TRUSTED_PROXIES);
  if (!proxies.ok) throw new Error(`Invalid Gatewarden configuration:\n  GATEWARDEN_TRUSTED_PROXIES: ${proxies.message}`);
  return {
    databaseKind: isPostgres ? "postgres" : "sqlite",
    databaseUrl: url || `file:${path.join(dataDir, "gatewarden.db")}`,
    dataDir,
    keyDir: e.GATEWARDEN_KEY_DIR ? path.resolve(e.GATEWARDEN_KEY_DIR) : dataDir,
    sessionTtlHours: e.GATEWARDEN_SESSION_TTL_HOURS,
    sessionIdleMinutes: e.GATEWARDEN_SESSION_IDLE_MINUTES,
    secureCookies: web.ok ? (web.secureCookies ? "true" : "false") : "true",
    web,
    healthIntervalSeconds: e.GATEWARDEN_HEALTH_INTERVAL_SECONDS,
    managementCheckSeconds: e.GATEWARDEN_MANAGEMENT_CHECK_SECONDS,
    healthRoundWaitSeconds: e.GATEWARDEN_HEALTH_ROUND_WAIT_SECONDS,
    deployBackupsKept: e.GATEWARDEN_DEPLOY_BACKUPS_KEPT,
    drainSeconds: e.GATEWARDEN_DRAIN_SECONDS,
    commitConfirmSeconds: e.GATEWARDEN_COMMIT_CONFIRM_SECONDS,
    parallelGateways: e.GATEWARDEN_PARALLEL_GATEWAYS,
    recoveryBackoffSeconds: e.GATEWARDEN_RECOVERY_BACKOFF_SECONDS,
    trustedProxies: proxies.proxies,
    sshTargetAllowance: e.GATEWARDEN_ALLOW_SSH_TARGETS.map(parseCidr),
    logLevel: e.LOG_LEVEL,
    metricsEnabled: e.GATEWARDEN_METRICS === "1",
  };
}

let cached: AppEnv | undefined;
export function getEnv(): AppEnv {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Reads process.env again (the benchmark runs the same job at two parallelisms in one process). */
export function reloadEnv(): AppEnv {
  cached = undefined;
  return getEnv();
}

/** GATEWARDEN_PARALLEL_GATEWAYS: routers a fleet operation works on at once. */
export const parallelGateways = (): number => getEnv().parallelGateways;
