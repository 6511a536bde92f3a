import { describe, expect, it } from "vitest";
import type { AsyncEvent } from "../domain/asyncEvents.ts";
import {
  endAttempt,
  evolveAsync,
  foldAsync,
  replay,
  startAttempt,
  type AsyncRequest,
} from "./asyncRequest.ts";
import type { RetryPolicy } from "./retryPolicy.ts";

const policy: RetryPolicy = {
  maxRetries: 2,
  windowMs: 60_000,
  baseDelayMs: 1_000,
  maxDelayMs: 10_000,
};
const t = (s: number) => new Date(Date.UTC(2026, 11, 3, 10, 0, s));
const clock = (s: number, random = 0.5) => ({ now: t(s), policy, random: () => random });

const accepted: AsyncEvent = {
  type: "AsyncRequestAccepted",
  data: {
    requestId: "req_1",
    clientId: "cli_1",
    proxyId: "prx_1",
    method: "POST",
    path: "/hooks",
    query: "",
    payload: { v: 1, keyId: "dk_1", iv: "iv", ciphertext: "ct" },
    bodyBytes: 3,
    idempotencyKey: null,
    at: t(0).toISOString(),
  },
};

const apply = (state: AsyncRequest, events: AsyncEvent[]) =>
  events.reduce((current, event) => evolveAsync(current, event)!, state);

const begin = (state: AsyncRequest, s: number) =>
  apply(state, startAttempt(state, "wrk_a", clock(s)));
const answer = (state: AsyncRequest, s: number, status: number, retryAfter: string | null = null) =>
  apply(state, [
    endAttempt(
      state,
      state.attempts.at(-1)!,
      { kind: "response", status, retryAfter, duration: 5 },
      clock(s),
      null,
    ),
  ]);

describe("a queued request", () => {
  it("is queued and due at once when accepted", () => {
    const state = foldAsync([accepted])!;
    expect(state).toMatchObject({
      status: "queued",
      version: 1,
      attempts: [],
      nextAttemptAt: t(0).toISOString(),
    });
  });

  it("goes in flight, then completes on a 2xx", () => {
    const flying = begin(foldAsync([accepted])!, 1);
    expect(flying).toMatchObject({ status: "in_flight", nextAttemptAt: null, attemptsInWindow: 1 });
    const done = answer(flying, 2, 201);
    expect(done).toMatchObject({ status: "completed", nextAttemptAt: null });
    expect(done.attempts).toHaveLength(1);
    expect(done.attempts[0]).toMatchObject({
      attempt: 1,
      responseStatus: 201,
      outcome: "completed",
      duration: 5,
    });
  });

  it("retries a 503 at a jittered time, and fails once maxRetries retries are spent", () => {
    let state = answer(begin(foldAsync([accepted])!, 1), 2, 503);
    expect(state).toMatchObject({
      status: "retrying",
      nextAttemptAt: new Date(t(2).getTime() + 500).toISOString(),
    });
    state = answer(begin(state, 3), 4, 503);
    expect(state.status).toBe("retrying");
    state = answer(begin(state, 6), 7, 503);
    expect(state).toMatchObject({ status: "failed", failureReason: "retries_exhausted" });
    expect(state.attempts.map((a) => a.outcome)).toEqual(["retrying", "retrying", "failed"]);
    expect(startAttempt(state, "wrk_a", clock(8))).toEqual([]);
  });

  it("counts an attempt whose worker lost its lease, and starts the next one at once", () => {
    const lost = begin(foldAsync([accepted])!, 1);
    const events = startAttempt(lost, "wrk_b", clock(40));
    expect(events.map((e) => e.type)).toEqual(["AsyncAttemptEnded", "AsyncAttemptStarted"]);
    const next = apply(lost, events);
    expect(next.attempts.map((a) => [a.attempt, a.error, a.workerId])).toEqual([
      [1, "lease_expired", "wrk_a"],
      [2, null, "wrk_b"],
    ]);
    expect(next.status).toBe("in_flight");
  });

  it("replays only a failed request, with a fresh retry window", () => {
    const queued = foldAsync([accepted])!;
    expect(replay(queued, "usr_1", t(1))._unsafeUnwrapErr().code).toBe("request_not_failed");
    let failed = answer(begin(queued, 1), 2, 500);
    failed = answer(begin(failed, 3), 4, 500);
    failed = answer(begin(failed, 5), 6, 500);
    expect(failed.status).toBe("failed");
    const again = apply(failed, replay(failed, "usr_1", t(70))._unsafeUnwrap());
    expect(again).toMatchObject({
      status: "queued",
      attemptsInWindow: 0,
      windowStartedAt: t(70).toISOString(),
      nextAttemptAt: t(70).toISOString(),
      failureReason: null,
    });
    expect(again.attempts).toHaveLength(3);
  });

  it("ignores events that come before its acceptance", () => {
    expect(
      evolveAsync(null, {
        type: "AsyncRequestReplayed",
        data: { requestId: "req_1", clientId: "cli_1", by: "usr_1", at: t(0).toISOString() },
      }),
    ).toBeNull();
  });
});
