/**
 * One queued request as its events make it (spec §5): the fold that every
 * reader shares (worker, status API, queue table repair), and the decisions
 * that move it on. Pure: time, randomness and the policy come in as values.
 */
import { ok, type Result } from "neverthrow";
import type {
  AsyncAttemptOutcome,
  AsyncErrorClass,
  AsyncEvent,
  AsyncFailureReason,
  QueuedRequestFacts,
  StoredResponse,
} from "../domain/asyncEvents.ts";
import type { Sealed } from "../domain/events.ts";
import { fail, type DomainError } from "../domain/errors.ts";
import {
  isRetryable,
  planRetry,
  retryAfterMs,
  type AttemptResult,
  type RetryPolicy,
} from "./retryPolicy.ts";

export type AsyncStatus = "queued" | "in_flight" | "retrying" | "completed" | "failed";

export const finalStatuses: readonly AsyncStatus[] = ["completed", "failed"];

export type AttemptView = {
  attempt: number;
  startedAt: string;
  workerId: string;
  targetCredentialId: string | null;
  targetCredentialVersion: number | null;
  /** Null while the attempt is in flight, or when its worker lost the lease. */
  endedAt: string | null;
  duration: number | null;
  responseStatus: number | null;
  error: AsyncErrorClass | null;
  outcome: AsyncAttemptOutcome | null;
  /** When the retry after this attempt was planned for; null unless it led to one. */
  retryAt: string | null;
};

export type AsyncRequest = QueuedRequestFacts & {
  payload: Sealed;
  bodyBytes: number;
  acceptedAt: string;
  status: AsyncStatus;
  attempts: AttemptView[];
  /** When the next attempt is due; null once the request is final or in flight. */
  nextAttemptAt: string | null;
  /** Acceptance, or the last replay: the retry window counts from here. */
  windowStartedAt: string;
  attemptsInWindow: number;
  response: StoredResponse | null;
  failureReason: AsyncFailureReason | null;
  updatedAt: string;
  /** Stream version this state was folded to. */
  version: number;
};

export type AsyncRequestState = AsyncRequest | null;

/** Folds one event into the state; an event before acceptance is ignored. */
export const evolveAsync = (state: AsyncRequestState, event: AsyncEvent): AsyncRequestState => {
  if (event.type === "AsyncRequestAccepted") {
    const d = event.data;
    return {
      requestId: d.requestId,
      clientId: d.clientId,
      proxyId: d.proxyId,
      method: d.method,
      path: d.path,
      query: d.query,
      payload: d.payload,
      bodyBytes: d.bodyBytes,
      idempotencyKey: d.idempotencyKey,
      acceptedAt: d.at,
      status: "queued",
      attempts: [],
      nextAttemptAt: d.at,
      windowStartedAt: d.at,
      attemptsInWindow: 0,
      response: null,
      failureReason: null,
      updatedAt: d.at,
      version: (state?.version ?? 0) + 1,
    };
  }
  if (state === null) return null;
  const next = { ...state, version: state.version + 1, updatedAt: event.data.at };
  switch (event.type) {
    case "AsyncAttemptStarted":
      return {
        ...next,
        status: "in_flight",
        nextAttemptAt: null,
        attemptsInWindow: state.attemptsInWindow + 1,
        attempts: [
          ...state.attempts,
          {
            attempt: event.data.attempt,
            startedAt: event.data.at,
            workerId: event.data.workerId,
            targetCredentialId: event.data.targetCredentialId ?? null,
            targetCredentialVersion: event.data.targetCredentialVersion ?? null,
            endedAt: null,
            duration: null,
            responseStatus: null,
            error: null,
            outcome: null,
            retryAt: null,
          },
        ],
      };
    case "AsyncAttemptEnded": {
      const d = event.data;
      const status: AsyncStatus = d.outcome === "retrying" ? "retrying" : d.outcome;
      return {
        ...next,
        status,
        nextAttemptAt: d.nextAttemptAt,
        response: d.response ?? state.response,
        failureReason: d.reason,
        attempts: state.attempts.map((attempt) =>
          attempt.attempt === d.attempt
            ? {
                ...attempt,
                endedAt: d.at,
                duration: d.duration,
                responseStatus: d.responseStatus,
                error: d.error,
                outcome: d.outcome,
                retryAt: d.nextAttemptAt,
              }
            : attempt,
        ),
      };
    }
    case "AsyncDeliveryRefused":
      return { ...next, status: "failed", nextAttemptAt: null, failureReason: event.data.reason };
    case "AsyncRequestReplayed":
      return {
        ...next,
        status: "queued",
        nextAttemptAt: event.data.at,
        windowStartedAt: event.data.at,
        attemptsInWindow: 0,
        failureReason: null,
      };
  }
};

export const foldAsync = (events: readonly AsyncEvent[]): AsyncRequestState =>
  events.reduce<AsyncRequestState>(evolveAsync, null);

/** The attempt that started and never ended, if any. */
export const openAttempt = (state: AsyncRequest): AttemptView | undefined => {
  const last = state.attempts.at(-1);
  return last !== undefined && last.outcome === null ? last : undefined;
};

export const isFinal = (state: AsyncRequest): boolean => finalStatuses.includes(state.status);

type Clock = { now: Date; policy: RetryPolicy; random: () => number };

/**
 * The end of an attempt: completed, retried at a time the policy draws, or
 * failed once the policy gives up. `response` is kept only when the request
 * ends with this attempt.
 */
export const endAttempt = (
  state: AsyncRequest,
  attempt: AttemptView,
  result: AttemptResult & { duration: number | null },
  clock: Clock,
  response: StoredResponse | null,
): AsyncEvent => {
  const nowMs = clock.now.getTime();
  const base = {
    requestId: state.requestId,
    clientId: state.clientId,
    attempt: attempt.attempt,
    startedAt: attempt.startedAt,
    duration: result.duration,
    responseStatus: result.kind === "response" ? result.status : null,
    error: result.kind === "error" ? result.error : null,
    at: clock.now.toISOString(),
  };
  if (!isRetryable(result))
    return {
      type: "AsyncAttemptEnded",
      data: { ...base, outcome: "completed", nextAttemptAt: null, reason: null, response },
    };
  const plan = planRetry(clock.policy, {
    attemptsInWindow: state.attemptsInWindow,
    windowStartedAtMs: Date.parse(state.windowStartedAt),
    nowMs,
    retryAfterMs: result.kind === "response" ? retryAfterMs(result.retryAfter, nowMs) : null,
    immediate: result.kind === "error" && result.error === "lease_expired",
    random: clock.random,
  });
  return plan.kind === "retry"
    ? {
        type: "AsyncAttemptEnded",
        data: {
          ...base,
          outcome: "retrying",
          nextAttemptAt: new Date(plan.atMs).toISOString(),
          reason: null,
          response: null,
        },
      }
    : {
        type: "AsyncAttemptEnded",
        data: { ...base, outcome: "failed", nextAttemptAt: null, reason: plan.reason, response },
      };
};

/**
 * What a worker appends to begin an attempt: first the end of an attempt
 * whose worker lost its lease (it counts as made: the upstream may have seen
 * it), then the start of the next, unless the policy has given up by then.
 * An empty list: the request is final and there is nothing to do.
 */
export const startAttempt = (
  state: AsyncRequest,
  workerId: string,
  clock: Clock,
  credential?: { targetCredentialId: string; targetCredentialVersion: number },
): AsyncEvent[] => {
  if (isFinal(state)) return [];
  const events: AsyncEvent[] = [];
  let current = state;
  const open = openAttempt(state);
  if (open !== undefined) {
    const ended = endAttempt(
      state,
      open,
      { kind: "error", error: "lease_expired", duration: null },
      clock,
      null,
    );
    events.push(ended);
    current = evolveAsync(current, ended)!;
    if (isFinal(current)) return events;
  }
  events.push({
    type: "AsyncAttemptStarted",
    data: {
      requestId: state.requestId,
      clientId: state.clientId,
      attempt: current.attempts.length + 1,
      workerId,
      ...credential,
      at: clock.now.toISOString(),
    },
  });
  return events;
};

/** Ends a request that cannot be delivered at all, with no attempt. */
export const refuseDelivery = (
  state: AsyncRequest,
  reason: AsyncFailureReason,
  now: Date,
): AsyncEvent => ({
  type: "AsyncDeliveryRefused",
  data: { requestId: state.requestId, clientId: state.clientId, reason, at: now.toISOString() },
});

/** Queues a failed request again, with a fresh retry window. */
export const replay = (
  state: AsyncRequest,
  by: string,
  now: Date,
): Result<AsyncEvent[], DomainError> => {
  if (state.status !== "failed")
    return fail(
      "request_not_failed",
      `request ${state.requestId} is ${state.status}; only a failed request can be replayed`,
    );
  return ok([
    {
      type: "AsyncRequestReplayed",
      data: { requestId: state.requestId, clientId: state.clientId, by, at: now.toISOString() },
    },
  ]);
};
