import type { Server } from "bun";
import { API_PREFIX } from "../../core/proxy/proxyTarget.ts";
import { injectParams } from "../../core/proxy/queryParams.ts";
import { forwardHeaders } from "../../core/proxy/requestHeaders.ts";
import { BUFFER_LIMIT, callerResponse, shouldBuffer } from "../../core/proxy/responseHeaders.ts";
import { createAdmission, DEFAULT_MAX_BODY_BYTES, nameOf, readUpTo } from "./admitRequest.ts";
import { logFields } from "./logFields.ts";
import type { ProxyDeps } from "./proxyDeps.ts";
import { errorResponse, type ProxyErrorCode } from "./proxyErrors.ts";
import { answered, declaredLength, denied, failed } from "./records.ts";

export type Forward = (request: Request, server: Server<unknown> | null) => Promise<Response>;

/** Why `fetch` was aborted; anything else that rejects it is a connection failure. */
const TIMED_OUT = "upstream_timeout";

/**
 * The synchronous forward path, spec §4 steps 1 to 8: the admission (steps
 * 1 to 4, shared with the queued API), then one labelled step after another.
 */
export function createForwarder(deps: ProxyDeps): Forward {
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const { admit, record } = createAdmission(deps, API_PREFIX);
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  return async function forward(request, server) {
    const admitting = admit(request);
    const admission = admitting instanceof Promise ? await admitting : admitting;
    if ("answer" in admission) return admission.answer;
    const { route, plan, outcome, path, headers, decision } = admission.admitted;
    const { requestId, method } = outcome;
    const redactedQuery = admission.admitted.query.redacted;

    // A body with no declared length (chunked) is read whole first, up to the
    // limit (spec §7: 413). So is a declared one of at most BUFFER_LIMIT
    // bytes: sent on whole, it leaves with its length, while a streamed one
    // costs Bun's HTTP client a pump per chunk (for a 1 KiB POST about a
    // sixth of the proxy's processor time). Larger declared bodies stream as
    // they arrive.
    const hasBody = method !== "GET" && method !== "HEAD";
    // A body sent with GET or HEAD is not forwarded, so it is not counted.
    if (!hasBody) outcome.requestBytes = 0;
    if (outcome.requestBytes > maxBodyBytes) {
      record(denied(outcome, path, redactedQuery, "body_too_large"));
      return errorResponse("body_too_large", requestId);
    }
    let body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> | null = hasBody
      ? request.body
      : null;
    if (body !== null && !request.headers.has("content-length")) {
      const whole = await readUpTo(body, maxBodyBytes);
      if (whole === null) {
        record(denied(outcome, path, redactedQuery, "body_too_large"));
        return errorResponse("body_too_large", requestId);
      }
      body = whole;
      outcome.requestBytes = whole.byteLength;
    } else if (body !== null && outcome.requestBytes <= BUFFER_LIMIT) {
      try {
        body = new Uint8Array(await request.arrayBuffer());
      } catch {
        // The caller's connection ended before the declared length.
        record(denied(outcome, path, redactedQuery, "body_incomplete"));
        return errorResponse("body_incomplete", requestId);
      }
    }

    // 5. Build the upstream request: origin + prefix + canonical path + query,
    // by concatenation (a `new URL(rest, base)` would read `//host` as a host).
    const query = injectParams(admission.admitted.query.forwarded, route.inject.query, false);
    const url = query === null ? plan.base + path : `${plan.base}${path}?${query}`;
    const recordQuery = injectParams(redactedQuery, route.inject.query, true);
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
      // never logged or answered: its query may hold an injected secret. A
      // streamed body breaks the call when the caller's connection ends
      // short of it: that is the caller's doing, not the upstream's.
      const duration = now() - upstreamStartedAt;
      const code: ProxyErrorCode =
        abort.signal.reason === TIMED_OUT
          ? "upstream_timeout"
          : body instanceof ReadableStream && request.signal.aborted
            ? "body_incomplete"
            : "upstream_unreachable";
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
    const responseBytes = method === "HEAD" ? 0 : declaredLength(upstream.headers);
    record(answered(outcome, path, recordQuery, upstream.status, duration, responseBytes));
    return response;
  };
}
