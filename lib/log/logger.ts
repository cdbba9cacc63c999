// The application logger (pino, JSON lines on stdout). Known secret-bearing keys are
// redacted by path as a second line of defence; secrets should never be passed in.
import pino from "pino";
import { getEnv } from "@/lib/config/env";

const globalForLog = globalThis as unknown as { gatewardenLogger?: pino.Logger };

export const logger: pino.Logger =
  globalForLog.gatewardenLogger ??
  pino({
    level: getEnv().logLevel,
    base: { app: "gatewarden" },
    redact: {
      paths: ["psk", "*.psk", "password", "*.password", "privateKey", "*.privateKey", "secret", "*.secret", "token", "*.token"],
      censor: "«redacted»",
    },
  });
globalForLog.gatewardenLogger = logger;
