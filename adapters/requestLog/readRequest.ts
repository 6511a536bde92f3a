import type { SqlExecutor } from "../sql/sqlClient.ts";
import {
  storedColumns,
  toStoredRequest,
  type StoredRequest,
  type StoredRow,
} from "./storedRequest.ts";
import { requestLog as t } from "./tables.ts";

const selectOne = `
  SELECT ${storedColumns} FROM ${t.readable}
  WHERE ${t.requestId} = $1 AND ${t.clientId} = $2`;

/**
 * One request of the client, or null: another client's request is not found
 * exactly like a missing one. With `proxyId`, only a request of that proxy.
 */
export async function readRequest(
  sql: SqlExecutor,
  clientId: string,
  requestId: string,
  proxyId?: string,
): Promise<StoredRequest | null> {
  const { rows } = await sql.query<StoredRow>(
    proxyId === undefined ? selectOne : `${selectOne} AND ${t.proxyId} = $3`,
    proxyId === undefined ? [requestId, clientId] : [requestId, clientId, proxyId],
  );

  const row = rows[0];
  return row === undefined ? null : toStoredRequest(row);
}

const selectProxy = `
  SELECT 1 AS found FROM ${t.readable} WHERE ${t.clientId} = $1 AND ${t.proxyId} = $2 LIMIT 1`;

/** Whether the client's log holds any request of `proxyId` (a deleted proxy's, say). */
export async function hasProxyRequests(
  sql: SqlExecutor,
  clientId: string,
  proxyId: string,
): Promise<boolean> {
  const { rows } = await sql.query(selectProxy, [clientId, proxyId]);
  return rows.length > 0;
}
