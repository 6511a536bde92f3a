/**
 * One delivery attempt over HTTP: the stored request, with the target
 * credential injected now (a rotated credential is used from then on) and
 * `Idempotency-Key: {requestId}` so that targets can drop duplicates.
 */
import type { AttemptResult } from "../../core/async/retryPolicy.ts";
import { decodeEnvelope, encodeEnvelope, type RequestHead } from "../../core/async/envelope.ts";
import { connectionListed, isHopByHop } from "../../core/proxy/hopByHop.ts";
import { injectParams } from "../../core/proxy/queryParams.ts";
import { forwardHeaders } from "../../core/proxy/requestHeaders.ts";
import type { ProxyRoute } from "../../core/proxy/route.ts";
import { routePlan } from "../proxy/routePlan.ts";

/** Spec §5: the final upstream response is kept with up to 1 MiB of body. */
export const MAX_KEPT_BODY_BYTES = 1024 * 1024;

export type PreparedAttempt = { url: string; init: RequestInit; origin: string };

export type SentAttempt = AttemptResult & {
  duration: number | null;
  /** The answer's envelope (headers and up to 1 MiB of body), when there was one. */
  response: { bytes: Uint8Array<ArrayBuffer>; bodyBytes: number; truncated: boolean } | null;
};

/**
 * The upstream request for a stored envelope under the current route.
 * Throws a `TypeError` when the target credential cannot be a header.
 */
export function prepareAttempt(
  route: ProxyRoute,
  request: { requestId: string; method: string; path: string },
  payload: Uint8Array<ArrayBuffer>,
): PreparedAttempt {
  const { head, body } = decodeEnvelope<RequestHead>(payload);
  const plan = routePlan(route);
  const query = injectParams(head.query, route.inject.query, false);
  const url = query === null ? plan.base + request.path : `${plan.base}${request.path}?${query}`;
  const headers = new Headers(head.headers);
  forwardHeaders(headers, route.inject, {
    requestId: request.requestId,
    clientAddress: head.clientAddress,
    host: head.host,
  });
  headers.set("idempotency-key", request.requestId);
  // The body is whole bytes, so every attempt sends all of it (case C10).
  headers.set("content-length", String(body.byteLength));
  return {
    url,
    origin: plan.origin,
    init: {
      method: request.method,
      headers,
      body: request.method === "DELETE" && body.byteLength === 0 ? null : body,
      redirect: "manual",
      decompress: false,
    } as RequestInit,
  };
}

const TIMED_OUT = "attempt_timeout";

/** Sends one attempt, bounded by `timeoutMs` from start to the last byte kept. */
export async function sendAttempt(
  prepared: PreparedAttempt,
  timeoutMs: number,
  now: () => number,
  stop: AbortSignal,
): Promise<SentAttempt> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(TIMED_OUT), timeoutMs);
  const onStop = () => abort.abort("stopping");
  stop.addEventListener("abort", onStop);
  const startedAt = now();
  try {
    const upstream = await fetch(prepared.url, { ...prepared.init, signal: abort.signal });
    const duration = now() - startedAt;
    const kept = await keepBody(upstream, MAX_KEPT_BODY_BYTES);
    // The answer is kept, not relayed: its connection's own fields go.
    const listed = connectionListed(upstream.headers);
    const headers: [string, string][] = [];
    for (const [name, value] of upstream.headers)
      if (name !== "set-cookie" && !isHopByHop(name, listed)) headers.push([name, value]);
    for (const cookie of upstream.headers.getSetCookie()) headers.push(["set-cookie", cookie]);
    return {
      kind: "response",
      status: upstream.status,
      retryAfter: upstream.headers.get("retry-after"),
      duration,
      response: {
        bytes: encodeEnvelope({ headers }, kept.body),
        bodyBytes: kept.body.byteLength,
        truncated: kept.truncated,
      },
    };
  } catch {
    if (stop.aborted) throw new Error("delivery stopped");
    const error = abort.signal.reason === TIMED_OUT ? "timeout" : "connection";
    return { kind: "error", error, duration: now() - startedAt, response: null };
  } finally {
    clearTimeout(timer);
    stop.removeEventListener("abort", onStop);
  }
}

async function keepBody(
  response: Response,
  limit: number,
): Promise<{ body: Uint8Array; truncated: boolean }> {
  if (response.body === null) return { body: new Uint8Array(0), truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch {
      // Cut off (the attempt's time ran out, or the upstream hung up): the
      // status stands, with the part of the body that arrived.
      truncated = true;
      break;
    }
    const { done, value } = chunk;
    if (done) break;
    const room = limit - size;
    if (value.byteLength > room) {
      chunks.push(value.subarray(0, room));
      size = limit;
      truncated = true;
      await reader.cancel().catch(() => undefined);
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return { body, truncated };
}
