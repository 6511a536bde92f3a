/**
 * The delivery worker (spec §5): claims due requests under a lease, makes
 * one attempt each, and records every attempt as an event. Several workers,
 * in one process or many, may share a store: a claim takes a request for
 * one worker, and a worker that dies loses its lease, after which another
 * takes the request over. Delivery is at least once.
 */
import { ulid } from "ulid";
import {
  endAttempt,
  isFinal,
  openAttempt,
  refuseDelivery,
  startAttempt,
  type AsyncRequest,
} from "../../core/async/asyncRequest.ts";
import {
  defaultRetryPolicy,
  resolveRetryPolicy,
  type RetryPolicy,
} from "../../core/async/retryPolicy.ts";
import type { AsyncEvent, AsyncFailureReason } from "../../core/domain/asyncEvents.ts";
import { VersionConflictError } from "../../core/eventStore/eventStore.ts";
import type { ProxyRoute, ProxyTable } from "../../core/proxy/route.ts";
import {
  asyncChannel,
  claim,
  nextDueAt,
  readAsyncRequest,
  releaseLease,
  renewLease,
  transition,
  type Claimed,
} from "../../adapters/asyncQueue/asyncQueue.ts";
import { writeQueueRow } from "../../adapters/asyncQueue/queueRow.ts";
import { sweepQueue } from "../../adapters/asyncQueue/sweep.ts";
import type { SecretBox } from "../../adapters/secrets/secretBox.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import { nameOf } from "../proxy/admitRequest.ts";
import type { Logger } from "../runtime/logger.ts";
import { prepareAttempt, sendAttempt, type PreparedAttempt } from "./sendAttempt.ts";

export type WorkerOptions = {
  /** Attempts in flight at once. Default 32. */
  concurrency: number;
  /** How long a claim holds a request; renewed every third of it while the attempt runs. Default 30 s. */
  leaseMs: number;
  /** Longest sleep between looks at the queue when nothing wakes the worker. Default 1 s. */
  pollMs: number;
  /** How often the queue is swept for requests without a way on. Default 60 s. */
  sweepMs: number;
  /** The policy of targets that set none, or set only some constants. */
  retryPolicy: RetryPolicy;
};

export const defaultWorkerOptions: WorkerOptions = {
  concurrency: 32,
  leaseMs: 30_000,
  pollMs: 1_000,
  sweepMs: 60_000,
  retryPolicy: defaultRetryPolicy,
};

export type DeliveryWorker = {
  workerId: string;
  /** Looks at the queue now (a submission in this process calls it). */
  wake(): void;
  /** Stops claiming, lets attempts in flight end (up to `graceMs`), then abandons the rest to their leases. */
  stop(graceMs?: number): Promise<void>;
};

type Deps = {
  sql: SqlClient;
  table: ProxyTable;
  /**
   * Whether the configuration knows the proxy, served here or not: a proxy
   * whose target credential this process cannot open (another master key)
   * has no route, and its requests must wait rather than fail.
   */
  proxyExists: (proxyId: string, clientId: string) => boolean;
  secrets: SecretBox;
  logger: Logger;
  options?: Partial<WorkerOptions>;
  now?: () => number;
  random?: () => number;
};

/**
 * A claim holds a request this long (at most the lease) until its attempt
 * has started: a worker that dies in between passes its claims on quickly.
 */
const CLAIM_HOLD_MS = 5_000;

/** How long a worker leaves alone a proxy whose credential it cannot open. */
const UNSERVABLE_MS = 60_000;

/** How long a wake waits for others to join it. */
const WAKE_COALESCE_MS = 5;

/** Shortest pause when due requests exist but another worker holds them. */
const BUSY_PAUSE_MS = 20;

export function startDeliveryWorker(deps: Deps): DeliveryWorker {
  const { sql, table, secrets } = deps;
  const options = { ...defaultWorkerOptions, ...deps.options };
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const workerId = `wrk_${ulid()}`;
  const logger = deps.logger.child({ component: "worker", workerId });
  // Stopping ends the loop at once; abandoning cuts attempts still in flight
  // once the grace period is over.
  const stopping = new AbortController();
  const abandoning = new AbortController();
  const inFlight = new Set<Promise<void>>();
  /** Proxies this worker has no route for although they exist, until when. */
  const unservable = new Map<string, number>();
  const skipped = (): string[] => {
    const at = now();
    for (const [proxyId, until] of unservable) if (until <= at) unservable.delete(proxyId);
    return [...unservable.keys()];
  };

  let wakeUp: (() => void) | null = null;
  let woken = false;
  const wakeNow = () => {
    woken = true;
    wakeUp?.();
  };
  // A burst of submissions or of finished attempts makes one look at the
  // queue, not one each.
  let wakeTimer: ReturnType<typeof setTimeout> | null = null;
  const wake = () => {
    wakeTimer ??= setTimeout(() => {
      wakeTimer = null;
      wakeNow();
    }, WAKE_COALESCE_MS);
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (woken || stopping.signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = null;
        resolve();
      }
      wakeUp = done;
    });

  const policyOf = (route: ProxyRoute | undefined): RetryPolicy =>
    resolveRetryPolicy(route?.retryPolicy ?? null, options.retryPolicy);

  const clockOf = (policy: RetryPolicy) => ({ now: new Date(now()), policy, random });

  /** Ends a request without an attempt, first closing one a lost lease left open. */
  const refuse = async (state: AsyncRequest, reason: AsyncFailureReason, policy: RetryPolicy) => {
    const events: AsyncEvent[] = [];
    const open = openAttempt(state);
    if (open !== undefined)
      events.push(
        endAttempt(
          state,
          open,
          { kind: "error", error: "lease_expired", duration: null },
          clockOf(policy),
          null,
        ),
      );
    events.push(refuseDelivery(state, reason, new Date(now())));
    await transition(sql, state, events, { workerId });
    logger.warn({ requestId: state.requestId, reason }, "queued request cannot be delivered");
  };

  const deliver = async ({ requestId, clientId }: Claimed): Promise<void> => {
    const renew = () =>
      void renewLease(sql, requestId, workerId, new Date(now() + options.leaseMs))
        .then((held) => {
          if (!held) logger.warn({ requestId }, "lease lost while the attempt runs");
        })
        .catch((error: unknown) =>
          logger.warn({ requestId, cause: nameOf(error) }, "lease renewal failed"),
        );
    const renewal = setInterval(renew, Math.max(10, Math.floor(options.leaseMs / 3)));
    try {
      const found = await readAsyncRequest(sql, requestId);
      if (found === null) return releaseLease(sql, requestId, workerId);
      let state = found;
      if (isFinal(state) || state.clientId !== clientId) {
        // The row was behind its events: bring it level and let go.
        await sql.transaction((tx) => writeQueueRow(tx, state));
        return releaseLease(sql, requestId, workerId);
      }

      const route = table.get(state.proxyId);
      const policy = policyOf(route);
      if (route === undefined && deps.proxyExists(state.proxyId, state.clientId)) {
        // Step aside for workers that can open it, and stop claiming this
        // proxy's requests for a while; its due times stay as they are.
        if (!unservable.has(state.proxyId))
          logger.error(
            { requestId, proxyId: state.proxyId },
            "the proxy's target credential cannot be opened here (check FERRY_MASTER_KEY); its requests are left to other workers",
          );
        unservable.set(state.proxyId, now() + UNSERVABLE_MS);
        return releaseLease(sql, requestId, workerId);
      }
      if (route === undefined || route.clientId !== state.clientId)
        return refuse(state, "proxy_not_found", policy);
      if (!route.active) return refuse(state, "proxy_inactive", policy);

      let prepared: PreparedAttempt;
      try {
        const payload = await secrets.openBytes(state.clientId, state.payload);
        prepared = prepareAttempt(route, state, payload);
      } catch (error) {
        const reason =
          error instanceof TypeError ? "target_credential_invalid" : "request_unreadable";
        logger.error({ requestId, cause: nameOf(error) }, "queued request could not be prepared");
        return refuse(state, reason, policy);
      }

      const started = startAttempt(state, workerId, clockOf(policy), {
        targetCredentialId: route.targetCredentialId,
        targetCredentialVersion: route.targetCredentialVersion,
      });
      if (started.length === 0) return releaseLease(sql, requestId, workerId);
      // The claim's short hold becomes the full lease with the start.
      const leaseUntil = new Date(now() + options.leaseMs);
      state = await transition(sql, state, started, { workerId }, leaseUntil);
      if (isFinal(state)) return;
      const attempt = state.attempts.at(-1)!;

      const sent = await sendAttempt(prepared, route.timeoutMs, now, abandoning.signal);
      const ended = endAttempt(state, attempt, sent, clockOf(policy), null);
      if (
        ended.type === "AsyncAttemptEnded" &&
        ended.data.outcome !== "retrying" &&
        sent.response
      ) {
        ended.data.response = {
          status: sent.kind === "response" ? sent.status : 0,
          sealed: await secrets.sealBytes(state.clientId, sent.response.bytes),
          bodyBytes: sent.response.bodyBytes,
          truncated: sent.response.truncated,
        };
      }
      await transition(sql, state, [ended], { workerId });
      logger.debug(
        {
          requestId,
          attempt: attempt.attempt,
          status: sent.kind === "response" ? sent.status : sent.error,
          outcome: ended.type === "AsyncAttemptEnded" ? ended.data.outcome : "failed",
        },
        "attempt recorded",
      );
    } catch (error) {
      if (error instanceof VersionConflictError) {
        // Another worker took the request over after this one's lease ran
        // out; its takeover already counted this attempt.
        logger.warn({ requestId }, "attempt outcome lost to a takeover");
      } else if (!abandoning.signal.aborted) {
        logger.error(
          { requestId, cause: nameOf(error) },
          "delivery failed; the lease will pass it on",
        );
      }
    } finally {
      clearInterval(renewal);
    }
  };

  const loop = async () => {
    while (!stopping.signal.aborted) {
      woken = false;
      try {
        const free = options.concurrency - inFlight.size;
        let claimed: Claimed[] = [];
        if (free > 0) {
          const at = now();
          claimed = await claim(sql, {
            workerId,
            now: new Date(at),
            limit: free,
            leaseUntil: new Date(at + Math.min(options.leaseMs, CLAIM_HOLD_MS)),
            skipProxies: skipped(),
          });
          for (const request of claimed) {
            const running: Promise<void> = deliver(request).finally(() => {
              inFlight.delete(running);
              wake();
            });
            inFlight.add(running);
          }
          if (claimed.length === free) continue;
        }
        if (free <= 0) {
          await sleep(options.pollMs);
          continue;
        }
        const due = await nextDueAt(sql, skipped());
        const wait = due === null ? options.pollMs : due.getTime() - now();
        await sleep(
          Math.min(
            options.pollMs,
            Math.max(claimed.length === 0 && wait <= 0 ? BUSY_PAUSE_MS : 0, wait),
          ),
        );
      } catch (error) {
        if (stopping.signal.aborted) break;
        logger.error({ cause: nameOf(error) }, "queue unavailable; retrying");
        await sleep(options.pollMs);
      }
    }
  };

  let checkedThrough = "0";
  const sweep = async () => {
    try {
      const report = await sweepQueue(sql, new Date(now()), checkedThrough);
      checkedThrough = report.checkedThrough;
      if (report.repaired > 0 || report.rescheduled > 0)
        logger.warn(report, "queue sweep found requests without a way on and put them back");
    } catch (error) {
      logger.warn({ cause: nameOf(error) }, "queue sweep failed");
    }
  };

  let unlisten: (() => Promise<void>) | null = null;
  void sql.listen?.(asyncChannel, wake).then(
    (stop) => {
      if (stopping.signal.aborted) void stop();
      else unlisten = stop;
    },
    (error: unknown) =>
      logger.warn({ cause: nameOf(error) }, "cannot listen for submissions; polling"),
  );
  const sweeping = setInterval(() => void sweep(), options.sweepMs);
  // The first sweep reads every acceptance; delivery does not wait for it.
  const firstSweep = sweep();
  const looping = loop();

  return {
    workerId,
    wake,
    stop: async (graceMs = 10_000) => {
      if (stopping.signal.aborted) return;
      clearInterval(sweeping);
      const ended = Promise.all([...inFlight]);
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref?.());
      stopping.abort();
      if (wakeTimer !== null) clearTimeout(wakeTimer);
      wakeNow();
      await Promise.all([looping, firstSweep]);
      await Promise.race([ended, grace]);
      abandoning.abort();
      await ended;
      await unlisten?.();
    },
  };
}
