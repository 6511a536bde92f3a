import type { SqlExecutor } from "../sql/sqlClient.ts";
import { asyncRequests as t } from "./tables.ts";

export type QueueStats = {
  depth: { queued: number; inFlight: number; retrying: number; total: number };
  /** The request that has waited longest past its due time; null when none is due. */
  oldestDue: { requestId: string; dueAt: string; waitingMs: number } | null;
  outcomes: { completed: number; failed: number };
};

const counts = `
  SELECT
    (count(*) FILTER (WHERE ${t.status} = 'queued'))::integer AS queued,
    (count(*) FILTER (WHERE ${t.status} = 'in_flight'))::integer AS in_flight,
    (count(*) FILTER (WHERE ${t.status} = 'retrying'))::integer AS retrying,
    (count(*) FILTER (WHERE ${t.status} = 'completed'))::integer AS completed,
    (count(*) FILTER (WHERE ${t.status} = 'failed'))::integer AS failed
  FROM ${t.table}
  WHERE ${t.clientId} = $1 AND ($2::text IS NULL OR ${t.proxyId} = $2::text)`;

const oldest = `
  SELECT ${t.requestId} AS request_id,
         to_char(${t.nextAttemptAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS due_at
  FROM ${t.table}
  WHERE ${t.status} IN ('queued', 'retrying') AND ${t.nextAttemptAt} <= $3::timestamptz
    AND ${t.clientId} = $1 AND ($2::text IS NULL OR ${t.proxyId} = $2::text)
  ORDER BY ${t.nextAttemptAt}
  LIMIT 1`;

type CountRow = {
  queued: number;
  in_flight: number;
  retrying: number;
  completed: number;
  failed: number;
};

/** Queue depth, the oldest due request and the outcomes so far, for one client (or proxy). */
export async function queueStats(
  sql: SqlExecutor,
  clientId: string,
  proxyId: string | null,
  now: Date,
): Promise<QueueStats> {
  const [{ rows: countRows }, { rows: oldestRows }] = [
    await sql.query<CountRow>(counts, [clientId, proxyId]),
    await sql.query<{ request_id: string; due_at: string }>(oldest, [
      clientId,
      proxyId,
      now.toISOString(),
    ]),
  ];
  const c = countRows[0]!;
  const due = oldestRows[0];
  return {
    depth: {
      queued: c.queued,
      inFlight: c.in_flight,
      retrying: c.retrying,
      total: c.queued + c.in_flight + c.retrying,
    },
    oldestDue:
      due === undefined
        ? null
        : {
            requestId: due.request_id,
            dueAt: due.due_at,
            waitingMs: Math.max(0, now.getTime() - Date.parse(due.due_at)),
          },
    outcomes: { completed: c.completed, failed: c.failed },
  };
}
