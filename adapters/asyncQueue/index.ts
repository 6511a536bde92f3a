/**
 * The async queue (spec §5) as the Core API sees it: a request's full
 * state from its events, changes to it, and the queue's figures.
 */
import type { AsyncRequest } from "../../core/async/asyncRequest.ts";
import type { AsyncEvent } from "../../core/domain/asyncEvents.ts";
import type { SqlClient } from "../sql/sqlClient.ts";
import { readAsyncRequest, transition } from "./asyncQueue.ts";
import { queueStats, type QueueStats } from "./queueStats.ts";

export type AsyncQueue = {
  read(requestId: string): Promise<AsyncRequest | null>;
  /** Appends `events` to the request as read; throws `VersionConflictError` if it moved. */
  change(
    state: AsyncRequest,
    events: AsyncEvent[],
    metadata?: Record<string, unknown>,
  ): Promise<AsyncRequest>;
  stats(clientId: string, proxyId: string | null, now: Date): Promise<QueueStats>;
};

export function createAsyncQueue(sql: SqlClient): AsyncQueue {
  return {
    read: (requestId) => readAsyncRequest(sql, requestId),
    change: (state, events, metadata) => transition(sql, state, events, metadata),
    stats: (clientId, proxyId, now) => queueStats(sql, clientId, proxyId, now),
  };
}

export type { QueueStats } from "./queueStats.ts";
