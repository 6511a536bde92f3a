/**
 * Process configuration, read once from the environment and validated: a bad
 * value stops the process at start with a message naming the variable.
 */
import * as z from "zod";
import {
  delaysInOrder,
  MAX_RETRIES,
  MAX_RETRY_MS,
  resolveRetryPolicy,
} from "../../core/async/retryPolicy.ts";
import { wholeNumber } from "../../core/domain/fields.ts";
import type { WorkerOptions } from "../worker/deliveryWorker.ts";

/*
 * A number as people write one in decimal: `Number` alone would also take
 * `0x10`, `0b1`, `1_000` is refused but `" "` and `""` read as 0, and
 * `Infinity` passes. The checks after it then speak of the value's range.
 */
const decimal = z
  .string()
  .trim()
  .regex(/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i, "must be a decimal number")
  .transform(Number);
const number = (check: z.ZodNumber) => decimal.pipe(check);

/** An integer from `min` to `max`, written in decimal. */
const whole = (min: number, max: number = Number.MAX_SAFE_INTEGER) => number(wholeNumber(min, max));

/** The longest wait a timer takes: setTimeout fires at once past it. */
const MAX_TIMER_MS = 2_147_483_647;
/** A hundred years: the retention cutoff must stay within the instants Ferry stores. */
const MAX_RETENTION_DAYS = 36_500;

const port = whole(0, 65535);

const schema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  FERRY_DATA_DIR: z.string().min(1).default("./.ferry"),
  FERRY_HOST: z.string().min(1).default("127.0.0.1"),
  FERRY_CORE_PORT: port.default(4000),
  FERRY_PROXY_PORT: port.default(4001),
  FERRY_PUBLIC_PROXY_URL: z.string().optional(),
  FERRY_REGION_PROXY_URLS: z.string().default(""),
  FERRY_MASTER_KEY: z.string().optional(),
  FERRY_ADMIN_TOKEN: z.string().optional(),
  FERRY_LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info"),
  FERRY_REQUEST_RETENTION_DAYS: whole(0, MAX_RETENTION_DAYS).default(90),
  FERRY_REQUEST_LOG_BUSY_SHARE: number(
    z.number().gt(0, { error: "must be more than 0" }).max(1, { error: "must be at most 1" }),
  ).optional(),
  FERRY_MAX_BODY_BYTES: whole(1).default(10 * 1024 * 1024),
  FERRY_ASYNC_MAX_BODY_BYTES: whole(1).default(10 * 1024 * 1024),
  FERRY_WORKER: z.enum(["on", "off"], { error: "must be on or off" }).default("on"),
  FERRY_WORKER_CONCURRENCY: whole(1, 10_000).default(32),
  FERRY_WORKER_LEASE_MS: whole(100, MAX_TIMER_MS).default(30_000),
  FERRY_WORKER_POLL_MS: whole(10, MAX_TIMER_MS).default(1_000),
  FERRY_WORKER_SWEEP_MS: whole(100, MAX_TIMER_MS).default(60_000),
  // The same bounds as a target's retry policy.
  FERRY_RETRY_MAX_RETRIES: whole(0, MAX_RETRIES).optional(),
  FERRY_RETRY_WINDOW_MS: whole(1, MAX_RETRY_MS).optional(),
  FERRY_RETRY_BASE_DELAY_MS: whole(1, MAX_RETRY_MS).optional(),
  FERRY_RETRY_MAX_DELAY_MS: whole(1, MAX_RETRY_MS).optional(),
});

export type FerryConfig = {
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  corePort: number;
  proxyPort: number;
  /** Null: built from the proxy's own address once it listens. */
  publicProxyUrl: string | null;
  regionProxyUrls: Map<string, string>;
  masterKey: string | undefined;
  adminToken: string | undefined;
  logLevel: string;
  maxBodyBytes: number;
  /** Days request records are kept; 0 keeps them forever. */
  requestRetentionDays: number;
  /**
   * Share of the time the request log projector takes while the proxy has
   * traffic; unset, the projector's own default.
   */
  requestLogBusyShare?: number;
  maxAsyncBodyBytes: number;
  /** Whether `ferry serve` runs a delivery worker in its process. */
  worker: boolean;
  workerOptions: WorkerOptions;
};

export class ConfigError extends Error {}

/** The URL `baseURL` fields are built from, once the proxy's port is known. */
export const resolvePublicProxyUrl = (config: FerryConfig, proxyUrl: string): string =>
  config.publicProxyUrl ?? checkPublicUrl("FERRY_PUBLIC_PROXY_URL", proxyUrl);

export const readConfig = (env: Record<string, string | undefined>): FerryConfig => {
  // An empty variable means unset, as shells and container runtimes use it.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${issues.join("; ")}`);
  }
  const value = parsed.data;
  const retryPolicy = resolveRetryPolicy({
    maxRetries: value.FERRY_RETRY_MAX_RETRIES,
    windowMs: value.FERRY_RETRY_WINDOW_MS,
    baseDelayMs: value.FERRY_RETRY_BASE_DELAY_MS,
    maxDelayMs: value.FERRY_RETRY_MAX_DELAY_MS,
  });
  if (!delaysInOrder(retryPolicy))
    throw new ConfigError(
      `invalid configuration: FERRY_RETRY_MAX_DELAY_MS (${retryPolicy.maxDelayMs}) must be at least FERRY_RETRY_BASE_DELAY_MS (${retryPolicy.baseDelayMs})`,
    );
  const publicProxyUrl =
    value.FERRY_PUBLIC_PROXY_URL === undefined || value.FERRY_PUBLIC_PROXY_URL === ""
      ? null
      : checkPublicUrl("FERRY_PUBLIC_PROXY_URL", value.FERRY_PUBLIC_PROXY_URL);

  return {
    databaseUrl: value.DATABASE_URL,
    dataDir: value.FERRY_DATA_DIR,
    host: value.FERRY_HOST,
    corePort: value.FERRY_CORE_PORT,
    proxyPort: value.FERRY_PROXY_PORT,
    publicProxyUrl,
    regionProxyUrls: parseRegionUrls(value.FERRY_REGION_PROXY_URLS),
    masterKey: value.FERRY_MASTER_KEY,
    adminToken: value.FERRY_ADMIN_TOKEN,
    logLevel: value.FERRY_LOG_LEVEL,
    maxBodyBytes: value.FERRY_MAX_BODY_BYTES,
    requestRetentionDays: value.FERRY_REQUEST_RETENTION_DAYS,
    requestLogBusyShare: value.FERRY_REQUEST_LOG_BUSY_SHARE,
    maxAsyncBodyBytes: value.FERRY_ASYNC_MAX_BODY_BYTES,
    worker: value.FERRY_WORKER === "on",
    workerOptions: {
      concurrency: value.FERRY_WORKER_CONCURRENCY,
      leaseMs: value.FERRY_WORKER_LEASE_MS,
      pollMs: value.FERRY_WORKER_POLL_MS,
      sweepMs: value.FERRY_WORKER_SWEEP_MS,
      retryPolicy,
    },
  };
};

const parseRegionUrls = (text: string): Map<string, string> => {
  const map = new Map<string, string>();
  for (const entry of text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)) {
    const at = entry.indexOf("=");
    if (at <= 0) throw new ConfigError(`FERRY_REGION_PROXY_URLS: "${entry}" is not region=url`);
    map.set(
      entry.slice(0, at).trim(),
      checkPublicUrl("FERRY_REGION_PROXY_URLS", entry.slice(at + 1)),
    );
  }
  return map;
};

/**
 * Clients turn `baseURL` into `asyncURL` by replacing `/api/` with `/async/`
 * (spec §2, Proxy), so a public URL whose own path holds such a segment would
 * be rewritten wrongly: refuse it at start.
 */
const checkPublicUrl = (name: string, raw: string): string => {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${name}: "${raw}" is not an absolute URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new ConfigError(`${name}: only http and https URLs are allowed`);
  if (url.search || url.hash) throw new ConfigError(`${name}: must not carry a query or fragment`);
  const path = url.pathname.replace(/\/+$/, "");
  if (/(^|\/)(api|async)(\/|$)/.test(path))
    throw new ConfigError(
      `${name}: its path must not contain an /api/ or /async/ segment, because clients derive asyncURL from baseURL by replacing /api/ with /async/`,
    );
  return `${url.origin}${path}`;
};
