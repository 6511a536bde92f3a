import type { Server } from "bun";
import { ASYNC_PREFIX } from "../../core/proxy/proxyTarget.ts";
import {
  ACCESS_GRANTED,
  PROXY_CODE_HEADER,
  PROXY_MESSAGE_HEADER,
  REQUEST_ID_HEADER,
} from "../../core/proxy/proxyHeaders.ts";
import { injectParams } from "../../core/proxy/queryParams.ts";
import { createAdmission, DEFAULT_MAX_BODY_BYTES, nameOf, readUpTo } from "./admitRequest.ts";
import type { Forward } from "./forwardRequest.ts";
import { logFields } from "./logFields.ts";
import type { ProxyDeps } from "./proxyDeps.ts";
import { errorResponse } from "./proxyErrors.ts";
import { denied } from "./records.ts";

/** Spec §5: the queued API takes requests that change something. */
export const ASYNC_METHODS = ["POST", "PUT", "PATCH", "DELETE"] as const;
const asyncMethods = new Set<string>(ASYNC_METHODS);

/** An `Idempotency-Key`: 1 to 255 visible ASCII characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * `/async/{proxyId}/…` (spec §5): the same admission as the synchronous
 * API (steps 1 to 4), then the whole request is handed to the queue, and
 * 202 is answered only once the queue says it is stored. A store that
 * cannot take it makes the answer 503, never 202.
 */
export function createAsyncSubmitter(deps: ProxyDeps): Forward {
  const { logger, submitAsync } = deps;
  const { admit, record } = createAdmission(deps, ASYNC_PREFIX);
  const maxBodyBytes = deps.maxAsyncBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  return async function submit(request, server: Server<unknown> | null) {
    if (!asyncMethods.has(request.method))
      return errorResponse(
        "method_not_allowed",
        null,
        { allowed: [...ASYNC_METHODS] },
        {
          allow: ASYNC_METHODS.join(", "),
        },
      );
    if (submitAsync === undefined) return errorResponse("async_not_available", null);

    const admission = await admit(request);
    if ("answer" in admission) return admission.answer;
    const { route, outcome, path, headers, query } = admission.admitted;
    const { requestId, method } = outcome;
    const recordQuery = injectParams(query.redacted, route.inject.query, true);

    const key = headers.get("idempotency-key");
    if (key !== null && !IDEMPOTENCY_KEY.test(key)) {
      record(denied(outcome, path, recordQuery, "invalid_idempotency_key"));
      return errorResponse("invalid_idempotency_key", requestId);
    }
    // Ferry sends its own key (the request id) and its own length.
    headers.delete("idempotency-key");
    headers.delete("content-length");

    // The body is kept whole: every attempt sends all of it (case C10).
    const tooLarge = () => {
      record(denied(outcome, path, recordQuery, "body_too_large"));
      return errorResponse("body_too_large", requestId);
    };
    if (outcome.requestBytes > maxBodyBytes) return tooLarge();
    const body =
      request.body === null ? new Uint8Array(0) : await readUpTo(request.body, maxBodyBytes);
    if (body === null) return tooLarge();

    let submitted: Awaited<ReturnType<typeof submitAsync>>;
    try {
      submitted = await submitAsync({
        requestId,
        clientId: route.clientId,
        proxyId: route.proxyId,
        method,
        path,
        query: recordQuery ?? "",
        head: {
          headers: [...headers],
          query: query.forwarded,
          clientAddress: server?.requestIP(request)?.address ?? null,
          host: request.headers.get("host"),
        },
        body,
        idempotencyKey: key,
        at: new Date(outcome.startedAt).toISOString(),
      });
    } catch (error) {
      logger.error(
        {
          [logFields.requestId]: requestId,
          [logFields.proxyId]: route.proxyId,
          [logFields.cause]: nameOf(error),
        },
        "queued request could not be stored",
      );
      return errorResponse("queue_unavailable", requestId);
    }

    const answerHeaders = new Headers({
      "content-type": "application/json",
      [PROXY_CODE_HEADER]: ACCESS_GRANTED,
      [PROXY_MESSAGE_HEADER]: submitted.duplicate ? "Accepted before" : "Queued",
      [REQUEST_ID_HEADER]: submitted.requestId,
    });
    if (submitted.duplicate) answerHeaders.set("idempotent-replayed", "true");
    const status = submitted.duplicate ? submitted.status : "queued";
    return new Response(JSON.stringify({ requestId: submitted.requestId, status }), {
      status: 202,
      headers: answerHeaders,
    });
  };
}
