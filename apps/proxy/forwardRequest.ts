import type { Server } from "bun";
import { monotonicFactory } from "ulid";
import type { RequestRecord, RequestStatus } from "../../core/domain/events.ts";
import { authenticateCaller } from "../../core/proxy/authenticateCaller.ts";
import { allowAll } from "../../core/proxy/authorize.ts";
import { callerSecrets } from "../../core/proxy/callerSecrets.ts";
import { canonicalPath } from "../../core/proxy/canonicalPath.ts";
import { parseProxyTarget } from "../../core/proxy/proxyTarget.ts";
import { injectParams, takeCallerParams } from "../../core/proxy/queryParams.ts";
import { callerHeaders, forwardHeaders } from "../../core/proxy/requestHeaders.ts";
import { callerResponse, shouldBuffer } from "../../core/proxy/responseHeaders.ts";
import type { ProxyRoute } from "../../core/proxy/route.ts";
import { logFields } from "./logFields.ts";
import type { ProxyDeps } from "./proxyDeps.ts";
import { errorResponse, type ProxyErrorCode } from "./proxyErrors.ts";
import { routePlan } from "./routePlan.ts";

export type Forward = (request: Request, server: Server<unknown> | null) => Promise<Response>;

/** Why `fetch` was aborted; anything else that rejects it is a connection failure. */
const TIMED_OUT = "upstream_timeout";

/** Distinct presented secrets whose hash is kept; past this the memo starts over. */
const HASH_MEMO_SIZE = 1024;

/**
 * The synchronous forward path, spec §4 steps 1 to 8, one labelled step after
 * another. Every early answer is recorded with the code that explains it,
 * except an unknown proxy id, which has no client to record it under.
 */
export function createForwarder(deps: ProxyDeps): Forward {
  const { table, logger } = deps;
  const hashSecret = memoize(deps.hashSecret, HASH_MEMO_SIZE);
  const authorize = deps.authorize ?? allowAll;
  const now = deps.now ?? Date.now;
  const ulid = monotonicFactory();
  const newRequestId = deps.newRequestId ?? (() => `req_${ulid()}`);

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

  return async function forward(request, server) {
    const startedAt = now();
    const requestId = newRequestId();
    const method = request.method;
    const target = parseProxyTarget(request.url);

    // 1. Resolve the proxy from the in-memory table.
    const route = target === null ? undefined : table.get(target.proxyId);
    if (target === null || route === undefined) {
      return errorResponse("proxy_access_denied", requestId);
    }
    const plan = routePlan(route);
    const callerQuery = takeCallerParams(target.query, plan.callerParams);
    const outcome = {
      route,
      requestId,
      method,
      startedAt,
      requestBytes: declaredLength(request.headers),
    };
    if (!route.active) {
      const path = canonicalPath(target.rest).unwrapOr(target.rest);
      record(denied(outcome, path, callerQuery.redacted, "proxy_inactive"));
      return errorResponse("proxy_access_denied", requestId);
    }

    // 2. Authenticate the caller; its credential goes no further than here.
    const secrets = callerSecrets(route.caller, request.headers, callerQuery.values);
    if (!authenticateCaller(route.caller, secrets, hashSecret, startedAt)) {
      const path = canonicalPath(target.rest).unwrapOr(target.rest);
      record(denied(outcome, path, callerQuery.redacted, "invalid_credential"));
      return errorResponse("proxy_access_denied", requestId);
    }

    // 3. Canonicalise the path, once: rules and upstream both get this value.
    const canonical = canonicalPath(target.rest);
    if (target.fragment || canonical.isErr()) {
      const reason = canonical.isErr() ? canonical.error.reason : "fragment";
      record(denied(outcome, target.rest, callerQuery.redacted, "invalid_path"));
      return errorResponse("invalid_path", requestId, { reason });
    }
    const path = canonical.value;
    const headers = callerHeaders(request.headers, plan.callerHeader);

    // 4. Authorize: rules in four scopes, then the proxy's own limits.
    // Only a request that counts toward a rate limit gets a promise here.
    const pending = authorize(route, { method, path, query: callerQuery.forwarded, headers });
    const decision = pending instanceof Promise ? await pending : pending;
    if (!decision.allowed) {
      const code = decision.status === 429 ? "rate_limited" : "rule_denied";
      record(denied(outcome, path, callerQuery.redacted, code, decision.ruleId));
      const extra: Record<string, string> = {};
      if (decision.retryAfterSeconds !== undefined)
        extra["retry-after"] = String(decision.retryAfterSeconds);
      for (const [name, value] of Object.entries(decision.headers ?? {}))
        extra[name.toLowerCase()] = value;
      const details = { scope: decision.scope, ruleId: decision.ruleId };
      return errorResponse(code, requestId, details, extra);
    }

    // A body with no declared length (chunked) is read whole first, up to the
    // limit: Bun enforces the limit only while such a body streams, when the
    // upstream would already have the request's head (spec §7: 413).
    const hasBody = method !== "GET" && method !== "HEAD";
    const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (outcome.requestBytes > maxBodyBytes) {
      record(denied(outcome, path, callerQuery.redacted, "body_too_large"));
      return errorResponse("body_too_large", requestId);
    }
    let body: BodyInit | null = hasBody ? request.body : null;
    if (request.body !== null && hasBody && !request.headers.has("content-length")) {
      const whole = await readUpTo(request.body, maxBodyBytes);
      if (whole === null) {
        record(denied(outcome, path, callerQuery.redacted, "body_too_large"));
        return errorResponse("body_too_large", requestId);
      }
      body = whole;
      outcome.requestBytes = whole.byteLength;
    }

    // 5. Build the upstream request: origin + prefix + canonical path + query,
    // by concatenation (a `new URL(rest, base)` would read `//host` as a host).
    const query = injectParams(callerQuery.forwarded, route.inject.query, false);
    const url = query === null ? plan.base + path : `${plan.base}${path}?${query}`;
    const recordQuery = injectParams(callerQuery.redacted, route.inject.query, true);
    try {
      forwardHeaders(headers, route.inject, {
        requestId,
        clientAddress: server?.requestIP(request)?.address ?? null,
        host: request.headers.get("host"),
      });
    } catch {
      record(failed(outcome, path, recordQuery, "target_credential_invalid", 0));
      logger.error(
        { [logFields.requestId]: requestId, [logFields.proxyId]: route.proxyId },
        "target credential holds a value that cannot be a header",
      );
      return errorResponse("target_credential_invalid", requestId);
    }

    // The server's idle timer would cut a slow upstream or a quiet event
    // stream; the upstream timeout below bounds the wait instead. A caller
    // that leaves before the answer's head does not cancel the upstream call,
    // which the timeout ends at the latest; once the body streams, a caller
    // that leaves cancels it.
    server?.timeout(request, 0);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(TIMED_OUT), route.timeoutMs);
    const upstreamStartedAt = now();

    // A streamed request body needs `duplex: "half"` (Fetch §5.3), which the
    // runtime's types do not list; `decompress: false` keeps the upstream's
    // encoded bytes and their `Content-Encoding` together.
    const init: BunFetchRequestInit & { duplex: "half" } = {
      method,
      headers,
      body,
      duplex: "half",
      redirect: "manual",
      decompress: false,
      signal: abort.signal,
    };
    let upstream: Response;
    let buffered: ArrayBuffer | null = null;
    try {
      upstream = await fetch(url, init);
      if (shouldBuffer(upstream, method)) buffered = await upstream.arrayBuffer();
    } catch (error) {
      // 7. Upstream errors: a timeout is 504, anything else 502. The URL is
      // never logged or answered: its query may hold an injected secret.
      const duration = now() - upstreamStartedAt;
      const code: ProxyErrorCode =
        abort.signal.reason === TIMED_OUT ? "upstream_timeout" : "upstream_unreachable";
      record(failed(outcome, path, recordQuery, code, duration));
      logger.warn(
        {
          [logFields.requestId]: requestId,
          [logFields.proxyId]: route.proxyId,
          [logFields.code]: code,
          [logFields.cause]: nameOf(error),
          [logFields.upstreamOrigin]: plan.origin,
        },
        "upstream request failed",
      );
      return errorResponse(code, requestId);
    } finally {
      // The timeout bounds the wait for the answer, not a streamed body.
      clearTimeout(timer);
    }
    const duration = now() - upstreamStartedAt;

    // 6. Answer with the upstream's status, headers and streamed body.
    if (decision.headers)
      for (const [name, value] of Object.entries(decision.headers))
        upstream.headers.set(name, value);
    const response = callerResponse(upstream, method, requestId, buffered);

    // 8. Record the request, off the answer's path.
    const status: RequestStatus = upstream.status >= 500 ? "failed" : "completed";
    record({
      ...recordBase(outcome, path, recordQuery),
      status,
      responseStatus: upstream.status,
      duration,
      code: "proxy-access-granted",
      targetCredentialId: route.targetCredentialId,
      targetCredentialVersion: route.targetCredentialVersion,
      responseBytes: method === "HEAD" ? 0 : declaredLength(upstream.headers),
    });
    return response;
  };
}

type Outcome = {
  route: ProxyRoute;
  requestId: string;
  method: string;
  startedAt: number;
  requestBytes: number;
};

function recordBase(outcome: Outcome, path: string, query: string | null) {
  return {
    requestId: outcome.requestId,
    clientId: outcome.route.clientId,
    proxyId: outcome.route.proxyId,
    method: outcome.method,
    path,
    query: query ?? "",
    timestamp: new Date(outcome.startedAt).toISOString(),
    requestBytes: outcome.requestBytes,
  };
}

function denied(
  outcome: Outcome,
  path: string,
  query: string | null,
  code: string,
  ruleId: string | null = null,
): RequestRecord {
  return {
    ...recordBase(outcome, path, query),
    ...(ruleId !== null && { ruleId }),
    status: "denied",
    responseStatus: null,
    duration: 0,
    code,
    targetCredentialId: null,
    targetCredentialVersion: null,
    responseBytes: 0,
  };
}

function failed(
  outcome: Outcome,
  path: string,
  query: string | null,
  code: string,
  duration: number,
): RequestRecord {
  return {
    ...recordBase(outcome, path, query),
    status: "failed",
    responseStatus: null,
    duration,
    code,
    targetCredentialId: outcome.route.targetCredentialId,
    targetCredentialVersion: outcome.route.targetCredentialVersion,
    responseBytes: 0,
  };
}

const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** The whole body, or null once it grows past `limit` bytes (or breaks off). */
async function readUpTo(
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

/** The declared `Content-Length`; 0 when the body is chunked or absent. */
function declaredLength(headers: Headers): number {
  const length = Number(headers.get("content-length"));
  return Number.isSafeInteger(length) && length > 0 ? length : 0;
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
