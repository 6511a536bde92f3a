/**
 * The one logger. Structured (pino), to stdout; adapters never print, they
 * get this injected. Field names come from `logFields` so that every line
 * of every process can be queried the same way.
 */
import pino from "pino";

export const logFields = {
  requestId: "requestId",
  proxyId: "proxyId",
  clientId: "clientId",
  status: "status",
  durationMs: "durationMs",
  error: "err",
  component: "component",
} as const;

export type Logger = pino.Logger;

export const createLogger = (level: string): Logger =>
  pino({
    level,
    base: undefined,
    // Defence in depth: no secret-bearing header is ever logged, even if a
    // caller passes one by mistake.
    redact: {
      paths: ["*.authorization", "*.Authorization", "*.cookie", "*.headers", "*.secret"],
      censor: "[REDACTED]",
    },
  });
