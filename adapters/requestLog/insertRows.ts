import type { SqlExecutor } from "../sql/sqlClient.ts";
import { requestLog as t } from "./tables.ts";
import type { RequestLogRow } from "./unfoldRecords.ts";

/*
 * A chunk of rows goes in as one JSON array: one round trip per chunk, and
 * the same parameter handling on pg and PGlite. A row already there (a batch
 * delivered again, or projected by another process first) is left as it is.
 */
const insert = `
  INSERT INTO ${t.table} (
    ${t.requestId}, ${t.clientId}, ${t.proxyId}, ${t.status},
    ${t.occurredAt}, ${t.duration}, ${t.responseStatus}, ${t.record}
  )
  SELECT row->>'requestId', row->>'clientId', row->>'proxyId', row->>'status',
         (row->>'occurredAt')::timestamptz, (row->>'duration')::double precision,
         (row->>'responseStatus')::integer, row->'record'
  FROM jsonb_array_elements($1::text::jsonb) AS row
  ON CONFLICT (${t.requestId}) DO NOTHING`;

/** Rows per statement: keeps one parameter to a few megabytes. */
const CHUNK = 1_000;

/**
 * Inserts `rows` inside the caller's transaction; rows whose request id is
 * already in the log are skipped, so redelivery is harmless.
 */
export async function insertRows(tx: SqlExecutor, rows: RequestLogRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    await tx.query(insert, [JSON.stringify(rows.slice(start, start + CHUNK))]);
  }
}
