import type { Server } from "bun";
import type { RequestRecord } from "../../core/domain/events.ts";
import { authenticateCaller } from "../../core/proxy/authenticateCaller.ts";
import { allowAll, type AuthorizeDecision } from "../../core/proxy/authorize.ts";
import { callerSecrets } from "../../core/proxy/callerSecrets.ts";
import { canonicalPath } from "../../core/proxy/canonicalPath.ts";
import { parseProxyTarget } from "../../core/proxy/proxyTarget.ts";
import { takeCallerParams } from "../../core/proxy/queryParams.ts";
import { callerHeaders } from "../../core/proxy/requestHeaders.ts";
import type { ProxyRoute } from "../../core/proxy/route.ts";
import { logFields } from "./logFields.ts";
import type { ProxyDeps } from "./proxyDeps.ts";
import { errorResponse } from "./proxyErrors.ts";
import { declaredLength, denied, type Outcome } from "./records.ts";
import { requestIdFactory } from "./requestId.ts";
import { routePlan, type RoutePlan } from "./routePlan.ts";

/** Distinct presented secrets whose hash is kept; past this the memo starts over. */
const HASH_MEMO_SIZE = 1024;

/** A request that passed spec §4 steps 1 to 4, with what those steps worked out. */
export type Admitted = {
  route: ProxyRoute;
  plan: RoutePlan;
  outcome: Outcome;
  /** Canonical path: the rules saw it, the upstream receives it. */
  path: string;
  /** The query without the caller's credential: as forwarded, and as recorded. */
  query: { forwarded: string | null; redacted: string | null };
  /** The caller's headers without its credential and without hop-by-hop fields. */
  headers: Headers;
  decision: AuthorizeDecision & { allowed: true };
};

/** Either the request goes on, or this is the answer (already recorded). */
export type Admission = { admitted: Admitted } | { answer: Response };

/** Synchronous unless the decision waits on a rate limiter: no promise to settle then. */
export type Admit = (request: Request) => Admission | Promise<Admission>;

/**
 * Spec §4 steps 1 to 4, shared by the synchronous and the queued API: resolve
 * the proxy, authenticate the caller, canonicalise the path, authorize.
 * Every early answer is recorded with the code that explains it, except an
 * unknown proxy id, which has no client to record it under. `prefix` is the
 * API's path prefix (`/api/` or `/async/`).
 */
export function createAdmission(
  deps: ProxyDeps,
  prefix: string,
): {
  admit: Admit;
  record: (entry: RequestRecord) => void;
  newRequestId: () => string;
} {
  const { table, logger } = deps;
  const hashSecret = memoize(deps.hashSecret, HASH_MEMO_SIZE);
  const authorize = deps.authorize ?? allowAll;
  const now = deps.now ?? Date.now;
  const newRequestId = deps.newRequestId ?? requestIdFactory();

  const record = (entry: RequestRecord): void => {
    try {
      deps.record(entry);
    } catch (error) {
      logger.error(
        { [logFields.requestId]: entry.requestId, [logFields.cause]: nameOf(error) },
        "request record rejected",
      );
    }
  };

  const admit: Admit = (request) => {
    const startedAt = now();
    const requestId = newRequestId();
    const method = request.method;
    const target = parseProxyTarget(request.url, prefix);

    // 1. Resolve the proxy from the in-memory table.
    const route = target === null ? undefined : table.get(target.proxyId);
    if (target === null || route === undefined) {
      return { answer: errorResponse("proxy_access_denied", requestId) };
    }
    const plan = routePlan(route);
    const callerQuery = takeCallerParams(target.query, plan.callerParams);
    const outcome: Outcome = {
      route,
      requestId,
      method,
      startedAt,
      requestBytes: declaredLength(request.headers),
    };
    const refuse = (path: string, code: string, ruleId: string | null = null) =>
      record(denied(outcome, path, callerQuery.redacted, code, ruleId));
    if (!route.active) {
      refuse(canonicalPath(target.rest).unwrapOr(target.rest), "proxy_inactive");
      return { answer: errorResponse("proxy_access_denied", requestId) };
    }

    // 2. Authenticate the caller; its credential goes no further than here.
    const secrets = callerSecrets(route.caller, request.headers, callerQuery.values);
    if (!authenticateCaller(route.caller, secrets, hashSecret, startedAt)) {
      refuse(canonicalPath(target.rest).unwrapOr(target.rest), "invalid_credential");
      return { answer: errorResponse("proxy_access_denied", requestId) };
    }

    // 3. Canonicalise the path, once: rules and upstream both get this value.
    const canonical = canonicalPath(target.rest);
    if (target.fragment || canonical.isErr()) {
      const reason = canonical.isErr() ? canonical.error.reason : "fragment";
      refuse(target.rest, "invalid_path");
      return { answer: errorResponse("invalid_path", requestId, { reason }) };
    }
    const path = canonical.value;
    const headers = callerHeaders(request.headers, plan.callerHeader);

    // 4. Authorize: rules in four scopes, then the proxy's own limits.
    // Only a request that counts toward a rate limit gets a promise here.
    const pending = authorize(route, { method, path, query: callerQuery.forwarded, headers });
    const decided = (decision: AuthorizeDecision): Admission => {
      if (decision.allowed) {
        const query = { forwarded: callerQuery.forwarded, redacted: callerQuery.redacted };
        return { admitted: { route, plan, outcome, path, query, headers, decision } };
      }
      const code = decision.status === 429 ? "rate_limited" : "rule_denied";
      refuse(path, code, decision.ruleId);
      const extra: Record<string, string> = {};
      if (decision.retryAfterSeconds !== undefined)
        extra["retry-after"] = String(decision.retryAfterSeconds);
      for (const [name, value] of Object.entries(decision.headers ?? {}))
        extra[name.toLowerCase()] = value;
      const details = { scope: decision.scope, ruleId: decision.ruleId };
      return { answer: errorResponse(code, requestId, details, extra) };
    };
    return pending instanceof Promise ? pending.then(decided) : decided(pending);
  };

  return { admit, record, newRequestId };
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * The whole body, or null once it grows past `limit` bytes (or breaks off).
 * A body with no declared length (chunked) is read whole this way before
 * anything is sent on: Bun enforces its own limit only while such a body
 * streams, when an upstream would already have the request's head.
 */
export async function readUpTo(
  stream: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        return null;
      }
      chunks.push(value);
    }
  } catch {
    // The server cut the body off at its own limit.
    return null;
  }
  const whole = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return whole;
}

/**
 * Remembers the keyed hash of recently presented secrets: most callers send
 * the same key on every request, and the hash is a pure function of it. A
 * hit answers sooner than a miss, which tells a caller only that someone
 * presented that value lately, never whether it opens anything.
 */
function memoize(hash: (value: string) => string, size: number): (value: string) => string {
  const memo = new Map<string, string>();
  return (value) => {
    const known = memo.get(value);
    if (known !== undefined) return known;
    const hashed = hash(value);
    if (memo.size >= size) memo.clear();
    memo.set(value, hashed);
    return hashed;
  };
}

/** An error's code or name, never its message: Bun's fetch errors quote the URL. */
export function nameOf(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === "string") return code;
    if (typeof name === "string") return name;
  }
  return typeof error;
}
