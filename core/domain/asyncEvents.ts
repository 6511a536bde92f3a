import type { Sealed } from "./events.ts";

/**
 * Events of one queued request (spec §5), on its own stream
 * `async-{requestId}`. Customer data (headers, body, forwarded query, the
 * upstream's answer) is sealed under the client's data key like a secret;
 * what stays readable is what the request log shows.
 */

export type AsyncErrorClass = "connection" | "timeout" | "lease_expired";

/** What an ended attempt led to. */
export type AsyncAttemptOutcome = "completed" | "retrying" | "failed";

/** Why a request ended `failed` without a further attempt. */
export type AsyncFailureReason =
  | "retries_exhausted"
  | "window_exhausted"
  | "proxy_not_found"
  | "proxy_inactive"
  | "request_unreadable"
  | "target_credential_invalid";

/** The upstream's final answer, as kept (spec §5: body up to 1 MiB). */
export type StoredResponse = {
  status: number;
  /** Sealed bytes of the response envelope: headers and body. */
  sealed: Sealed;
  /** Bytes of body kept; the body was longer when `truncated`. */
  bodyBytes: number;
  truncated: boolean;
};

/** What a queued request is, readable without the client's key. */
export type QueuedRequestFacts = {
  requestId: string;
  clientId: string;
  proxyId: string;
  method: string;
  /** Canonical path, as the rules saw it. */
  path: string;
  /** Query with secret parameters redacted, for display. */
  query: string;
  idempotencyKey: string | null;
};

export type AsyncEvent =
  | {
      type: "AsyncRequestAccepted";
      data: QueuedRequestFacts & {
        /** Sealed bytes of the request envelope: headers, forwarded query, body. */
        payload: Sealed;
        bodyBytes: number;
        at: string;
      };
    }
  | {
      type: "AsyncAttemptStarted";
      data: {
        requestId: string;
        clientId: string;
        attempt: number;
        workerId: string;
        /** The target credential injected into this attempt, and its secret's version. */
        targetCredentialId?: string;
        targetCredentialVersion?: number;
        at: string;
      };
    }
  | {
      type: "AsyncAttemptEnded";
      data: {
        requestId: string;
        clientId: string;
        attempt: number;
        startedAt: string;
        /** Milliseconds from sending to the answer's head; null when unknown (a lost lease). */
        duration: number | null;
        responseStatus: number | null;
        error: AsyncErrorClass | null;
        outcome: AsyncAttemptOutcome;
        /** Set when `outcome` is `retrying`. */
        nextAttemptAt: string | null;
        /** Set when `outcome` is `failed`. */
        reason: AsyncFailureReason | null;
        /** The answer kept when the request ends with one. */
        response: StoredResponse | null;
        at: string;
      };
    }
  | {
      type: "AsyncDeliveryRefused";
      data: { requestId: string; clientId: string; reason: AsyncFailureReason; at: string };
    }
  | {
      type: "AsyncRequestReplayed";
      data: { requestId: string; clientId: string; by: string; at: string };
    };
