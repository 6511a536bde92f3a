/**
 * An in-process Ferry with a fast delivery worker and a recording upstream,
 * and the small helpers the async tests share.
 */
import { createHash } from "node:crypto";
import { createIntegration, startTestFerry, type TestFerry } from "../support/ferry.ts";
import {
  headerValues,
  startRecordingUpstream,
  type RecordedRequest,
  type RecordingUpstream,
} from "../support/recordingUpstream.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";

/** Worker settings that make retries take milliseconds, not minutes. */
export const fastWorkerEnv = {
  FERRY_WORKER_POLL_MS: "50",
  FERRY_WORKER_LEASE_MS: "3000",
  FERRY_WORKER_SWEEP_MS: "60000",
  FERRY_RETRY_BASE_DELAY_MS: "20",
  FERRY_RETRY_MAX_DELAY_MS: "100",
};

export type AsyncSetup = Awaited<ReturnType<typeof startAsyncFerry>>;

export const startAsyncFerry = async (
  options: { sql?: SqlClient; env?: Record<string, string>; upstream?: RecordingUpstream } = {},
) => {
  const upstream = options.upstream ?? (await startRecordingUpstream());
  const ferry: TestFerry = await startTestFerry({
    sql: options.sql,
    env: { ...fastWorkerEnv, ...options.env },
  });
  const integration = await createIntegration(ferry, upstream.origin);
  const asyncURL: string = integration.proxy.baseURL.replace("/api/", "/async/");
  const submit = (path: string, init: RequestInit = {}) =>
    fetch(`${asyncURL}${path}`, {
      method: "POST",
      ...init,
      headers: { "X-API-Key": integration.key, ...(init.headers as Record<string, string>) },
    });
  const request = (requestId: string) =>
    ferry.api("GET", `${integration.base}/requests/${requestId}`);
  /** Polls the request until `done` holds for it (or gives up after `ms`). */
  const settle = async (requestId: string, done = isFinal, ms = 20_000) => {
    const until = Date.now() + ms;
    for (;;) {
      const answer = await request(requestId);
      if (answer.status === 200 && done(answer.body)) return answer.body;
      if (Date.now() > until)
        throw new Error(`request ${requestId} did not settle: ${JSON.stringify(answer.body)}`);
      await Bun.sleep(25);
    }
  };
  return { ferry, upstream, integration, asyncURL, submit, request, settle };
};

export const isFinal = (body: { status?: string }) =>
  body.status === "completed" || body.status === "failed";

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** The upstream's requests that carried `requestId` as their idempotency key. */
export const deliveriesOf = (upstream: RecordingUpstream, requestId: string): RecordedRequest[] =>
  upstream.requests.filter((seen) => headerValues(seen, "idempotency-key")[0] === requestId);
