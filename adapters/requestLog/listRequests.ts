import type { SqlExecutor } from "../sql/sqlClient.ts";
import { whereOf, type RequestFilter } from "./requestFilter.ts";
import {
  storedColumns,
  toStoredRequest,
  type StoredRequest,
  type StoredRow,
} from "./storedRequest.ts";
import { requestLog as t } from "./tables.ts";

/**
 * Where a page starts: strictly older than this key in the log's order
 * (timestamp, then request id, both descending).
 */
export type PageKey = { occurredAt: string; requestId: string };

export type RequestPage = { requests: StoredRequest[]; next: PageKey | null };

/**
 * One page of the client's log, newest first, and the key of the next page
 * (null on the last). Keyset paging: records that arrive meanwhile are newer
 * than every key handed out, so a walk through the pages meets each older
 * record exactly once.
 */
export async function listRequests(
  sql: SqlExecutor,
  filter: RequestFilter,
  page: { limit: number; after?: PageKey | null },
): Promise<RequestPage> {
  const { condition, params } = whereOf(filter);
  let where = condition;
  if (page.after) {
    params.push(page.after.occurredAt, page.after.requestId);
    where += ` AND (${t.occurredAt}, ${t.requestId}) < ($${params.length - 1}::timestamptz, $${params.length}::text)`;
  }
  // One more row than asked tells whether another page follows.
  params.push(page.limit + 1);

  const { rows } = await sql.query<StoredRow>(
    `SELECT ${storedColumns} FROM ${t.readable} WHERE ${where}
     ORDER BY ${t.occurredAt} DESC, ${t.requestId} DESC
     LIMIT $${params.length}`,
    params,
  );

  const shown = rows.slice(0, page.limit);
  const last = shown.at(-1);
  const next =
    rows.length > page.limit && last !== undefined
      ? { occurredAt: last.occurred_at, requestId: last.request_id }
      : null;
  return { requests: shown.map(toStoredRequest), next };
}
