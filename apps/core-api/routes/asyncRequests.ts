/**
 * Queued requests in the Core API (spec §5): the detail of one request
 * (state, every attempt, the final response), replay of a failed one, and
 * the queue's figures.
 */
import { Elysia } from "elysia";
import { replay, type AsyncRequest } from "../../../core/async/asyncRequest.ts";
import { decodeEnvelope, type ResponseHead } from "../../../core/async/envelope.ts";
import { VersionConflictError } from "../../../core/eventStore/eventStore.ts";
import type { AsyncQueue } from "../../../adapters/asyncQueue/index.ts";
import { clientOf } from "../auth.ts";
import { callerOf, metadataOf, writerOf, type CoreApiDeps } from "../context.ts";
import { ApiError, notFound } from "../errors.ts";
import { domainErrorToApi } from "../execute.ts";
import { QueryReader, requireProxyOf } from "./requests.ts";

const REPLAY_ATTEMPTS = 3;

export const asyncQueueOf = (deps: CoreApiDeps): AsyncQueue => {
  if (deps.asyncQueue === undefined)
    throw new ApiError(503, "queue_unavailable", "the async queue is not available here");
  return deps.asyncQueue;
};

/**
 * The client's queued request. Another client's answers 404 exactly as one
 * that does not exist; one of the client's synchronous requests, which has
 * nothing to deliver again, answers 422.
 */
const queuedRequestOf = async (deps: CoreApiDeps, clientId: string, requestId: string) => {
  const state = await asyncQueueOf(deps).read(requestId);
  if (state !== null && state.clientId === clientId) return state;
  if (state === null && (await deps.requestLog?.get(clientId, requestId)))
    throw new ApiError(
      422,
      "request_not_queued",
      `request ${requestId} was synchronous; only a queued request can be replayed`,
    );
  throw notFound("request");
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A kept body as text when it is UTF-8, else base64. A body cut at the
 * 1 MiB limit may end inside a character: up to three bytes of it are left
 * out rather than the whole body shown as base64.
 */
const bodyOf = (bytes: Uint8Array, truncated: boolean) => {
  for (let drop = 0; drop <= (truncated ? 3 : 0) && drop <= bytes.byteLength; drop++) {
    try {
      const body = utf8.decode(bytes.subarray(0, bytes.byteLength - drop));
      return { body, bodyEncoding: "utf8" as const };
    } catch {
      // not UTF-8 (yet): try a shorter cut, or fall back to base64
    }
  }
  return { body: Buffer.from(bytes).toString("base64"), bodyEncoding: "base64" as const };
};

/** What the detail of a queued request adds to its log record. */
export const asyncDetail = async (deps: CoreApiDeps, state: AsyncRequest) => {
  let response = null;
  if (state.response !== null) {
    const { status, sealed, bodyBytes, truncated } = state.response;
    const bytes = await deps.secrets.openBytes(state.clientId, sealed);
    const { head, body } = decodeEnvelope<ResponseHead>(bytes);
    response = { status, headers: head.headers, ...bodyOf(body, truncated), bodyBytes, truncated };
  }
  return {
    status: state.status,
    attempts: state.attempts.length,
    nextAttemptAt: state.nextAttemptAt,
    failureReason: state.failureReason,
    attemptHistory: state.attempts.map(({ workerId: _worker, ...attempt }) => attempt),
    response,
  };
};

export const asyncRequestRoutes = (deps: CoreApiDeps) =>
  new Elysia()
    .post("/clients/:clientId/requests/:requestId/replay", async ({ request, params, set }) => {
      const caller = writerOf(deps, request);
      const client = clientOf(deps.live.view, caller, params.clientId);
      // A concurrent change (another replay, a worker) is decided again on
      // the new state; one that keeps losing answers 409 (spec §6).
      for (let attempt = 1; ; attempt++) {
        const state = await queuedRequestOf(deps, client.clientId, params.requestId);
        if (deps.live.view.proxies.get(state.proxyId)?.clientId !== state.clientId)
          throw new ApiError(
            422,
            "proxy_deleted",
            `proxy ${state.proxyId} was deleted; its requests cannot be delivered again`,
          );
        const decision = replay(state, caller.user.userId, deps.now?.() ?? new Date());
        if (decision.isErr()) throw domainErrorToApi(decision.error);
        try {
          const next = await asyncQueueOf(deps).change(state, decision.value, metadataOf(caller));
          deps.onQueued?.();
          set.status = 202;
          return { requestId: next.requestId, status: next.status };
        } catch (error) {
          if (!(error instanceof VersionConflictError)) throw error;
          if (attempt === REPLAY_ATTEMPTS)
            throw new ApiError(409, "version_conflict", "the request changed meanwhile; try again");
        }
      }
    })
    .get("/clients/:clientId/queue", async ({ request, params }) => {
      const client = clientOf(deps.live.view, callerOf(deps, request), params.clientId);
      const reader = new QueryReader(request);
      const proxyId = reader.text("proxyId");
      reader.done();
      if (proxyId !== undefined) await requireProxyOf(deps, client.clientId, proxyId);
      return asyncQueueOf(deps).stats(client.clientId, proxyId ?? null, deps.now?.() ?? new Date());
    });
