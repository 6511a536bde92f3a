import * as z from "zod";
import { hasControlChars } from "./httpSyntax.ts";
import {
  dayExists,
  INSTANT_OUT_OF_RANGE,
  isWithinInstantRange,
  timeOfDayExists,
} from "./instants.ts";

/**
 * Field rules shared by every resource. The apps compose their request
 * schemas from these; the deciders parse their commands with them too, so
 * no event can hold a value that breaks them.
 */

/** `clientName`, `credentialName`, `targetName`, `proxyName`, … : labels, not keys. */
export const nameSchema = z
  .string({ error: "must be a string" })
  .trim()
  .min(1, { error: "must not be empty" })
  .max(200, { error: "must be at most 200 characters" });

/** Optional region label; null (or an empty string) clears it. */
export const regionSchema = z
  .string({ error: "must be a string or null" })
  .trim()
  .max(100, { error: "must be at most 100 characters" })
  .nullable()
  .transform((region) => (region === "" ? null : region));

export const effectSchema = z.enum(["allow", "deny"], { error: "must be allow or deny" });

export const roleSchema = z.enum(["owner", "admin", "member"], {
  error: "must be owner, admin or member",
});

/**
 * An integer from `min` to `max`, each bound named in its refusal; `typeError`
 * is what a value that is no number is told.
 */
export const wholeNumber = (
  min: number,
  max: number,
  typeError: string | ((issue: { input: unknown }) => string) = "must be a number",
) =>
  z
    .number({ error: typeError })
    .int({ error: "must be an integer" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

export const DEFAULT_TIMEOUT_MS = 30_000;

export const timeoutMsSchema = wholeNumber(1, 300_000);

/** `maxRequestsPerMinute` / `maxRequestsPerDay`: null means no limit. */
export const requestLimitSchema = z
  .number({ error: "must be a number or null" })
  .int({ error: "must be an integer" })
  .positive({ error: "must be positive" })
  .max(Number.MAX_SAFE_INTEGER, { error: "is too large" })
  .nullable();

/**
 * An ISO-8601 timestamp with a zone, normalised to UTC with milliseconds,
 * within the years 0001 to 9999 (UTC): past them the normalised form would
 * be `+010000-…`, which this schema itself would refuse when it reads it back.
 */
const timestampShape =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?.*(Z|[+-]\d{2}:?\d{2})$/i;

export const timestampSchema = z
  .string({ error: "must be an ISO-8601 timestamp" })
  .refine((value) => timestampShape.test(value), {
    error: "must be an ISO-8601 timestamp with a time zone (Z or an offset)",
    abort: true,
  })
  .refine(
    (value) => {
      const [, year, month, day, hour, minute, second] = timestampShape.exec(value)!.map(Number);
      return dayExists(year!, month!, day!) && timeOfDayExists(hour!, minute!, second || 0);
    },
    { error: "has a date or time of day that does not exist", abort: true },
  )
  .refine((value) => !Number.isNaN(Date.parse(value)), {
    error: "must be an ISO-8601 timestamp with a time zone (Z or an offset)",
    abort: true,
  })
  .refine((value) => isWithinInstantRange(new Date(value)), { error: INSTANT_OUT_OF_RANGE })
  .transform((value) => new Date(value).toISOString());

/** The longest `baseURL` kept, as a URL would spell it. */
export const MAX_BASE_URL_LENGTH = 2000;

/**
 * Upstream base URL: absolute http(s), host required, no user info (a secret
 * belongs in a credential), no query or fragment (the proxy appends the
 * caller's), trailing slashes removed so that joining adds exactly one.
 * The raw text is checked for whitespace and controls first, because the
 * URL parser silently drops tabs and newlines.
 */
export const baseURLSchema = z.string({ error: "must be a string" }).transform((value, ctx) => {
  const refuse = (message: string) => {
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  };
  if (hasControlChars(value) || /\s/.test(value)) return refuse("must not contain whitespace");
  // The URL parser turns `http:///x` into `http://x/`: an empty host in the
  // text is refused before it can be read as a host.
  if (!/^https?:\/\/[^/?#]/i.test(value)) {
    return refuse("must be an absolute http or https URL with a host");
  }

  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse("must be an absolute http or https URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return refuse("must be an absolute http or https URL");
  }
  if (url.hostname === "") return refuse("must name a host");
  if (url.username !== "" || url.password !== "") return refuse("must not carry credentials");
  if (value.includes("?") || value.includes("#")) {
    return refuse("must not carry a query or fragment");
  }

  // Counted as stored and sent, percent-encoded: the edge and the decider
  // both read it, the second time in that form.
  const normalized = url.origin + url.pathname.replace(/\/+$/, "");
  if (normalized.length > MAX_BASE_URL_LENGTH)
    return refuse(`must be at most ${MAX_BASE_URL_LENGTH} characters, percent-encoded`);
  return normalized;
});

/** `testPath`: a path (and optional query) on the target, used to check it answers. */
export const testPathSchema = z
  .string({ error: "must be a string or null" })
  .max(2000, { error: "must be at most 2000 characters" })
  .refine((path) => path.startsWith("/"), { error: "must start with /" })
  .refine((path) => !hasControlChars(path) && !/\s/.test(path), {
    error: "must not contain whitespace or control characters",
  })
  .nullable();

/** A Ferry id: a type prefix and a ULID (`crd_01J…`). */
export const prefixedIdSchema = (prefix: string) =>
  z.string({ error: "must be a string" }).regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), {
    error: `must be an id starting with ${prefix}_`,
  });
