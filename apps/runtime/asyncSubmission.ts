/**
 * The proxy's hand-over of a queued request to the store: the request
 * envelope is sealed under the client's data key (bodies carry customer
 * data), appended with its queue row, and the local worker is woken.
 */
import { evolveAsync } from "../../core/async/asyncRequest.ts";
import { encodeEnvelope } from "../../core/async/envelope.ts";
import type { AsyncEvent } from "../../core/domain/asyncEvents.ts";
import { submit } from "../../adapters/asyncQueue/asyncQueue.ts";
import type { SecretBox } from "../../adapters/secrets/secretBox.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import type { SubmitAsync } from "../proxy/proxyDeps.ts";

export const createSubmitAsync =
  (deps: { sql: SqlClient; secrets: SecretBox; onQueued?: () => void }): SubmitAsync =>
  async (submission) => {
    const { head, body, ...request } = submission;
    const payload = await deps.secrets.sealBytes(request.clientId, encodeEnvelope(head, body));
    const accepted = {
      type: "AsyncRequestAccepted",
      data: {
        requestId: request.requestId,
        clientId: request.clientId,
        proxyId: request.proxyId,
        method: request.method,
        path: request.path,
        query: request.query,
        payload,
        bodyBytes: body.byteLength,
        idempotencyKey: request.idempotencyKey,
        at: request.at,
      },
    } satisfies AsyncEvent;
    const state = evolveAsync(null, accepted)!;
    const submitted = await submit(deps.sql, { accepted }, state);
    if (!submitted.duplicate) deps.onQueued?.();
    return submitted;
  };
