/**
 * The `ferry_data_keys` table (migration 002_data_keys.sql): one row per
 * client, holding its wrapped data key until the key is destroyed.
 */
import type { SqlExecutor } from "../sql/sqlClient.ts";

export const DATA_KEYS_TABLE = "ferry_data_keys";

export type DataKeyRow = {
  clientId: string;
  keyId: string;
  masterKeyId: string;
  /** Null once destroyed. */
  wrappedKey: Uint8Array | null;
  destroyedAt: Date | null;
};

const SELECT_BY_CLIENT = `
  SELECT client_id, key_id, master_key_id, wrapped_key, destroyed_at
  FROM ${DATA_KEYS_TABLE} WHERE client_id = $1`;

// Two processes sealing a client's first secret at once both insert; the
// loser's row is dropped and both go on to read the winner's.
const INSERT_IF_ABSENT = `
  INSERT INTO ${DATA_KEYS_TABLE} (client_id, key_id, master_key_id, wrapped_key)
  VALUES ($1, $2, $3, $4)
  ON CONFLICT (client_id) DO NOTHING`;

// A client that never sealed anything still gets a destroyed row, so that a
// late seal cannot create a key for a deleted client.
const DESTROY = `
  INSERT INTO ${DATA_KEYS_TABLE} (client_id, key_id, master_key_id, wrapped_key, destroyed_at)
  VALUES ($1, $2, $3, NULL, now())
  ON CONFLICT (client_id) DO UPDATE
    SET wrapped_key = NULL,
        destroyed_at = COALESCE(${DATA_KEYS_TABLE}.destroyed_at, EXCLUDED.destroyed_at)`;

type RawRow = {
  client_id: string;
  key_id: string;
  master_key_id: string;
  wrapped_key: Uint8Array | null;
  destroyed_at: Date | string | null;
};

/** Reads a client's data key row, if it has one. */
export const findDataKey = async (
  sql: SqlExecutor,
  clientId: string,
): Promise<DataKeyRow | undefined> => {
  const { rows } = await sql.query<RawRow>(SELECT_BY_CLIENT, [clientId]);
  const row = rows[0];
  if (!row) return undefined;

  return {
    clientId: row.client_id,
    keyId: row.key_id,
    masterKeyId: row.master_key_id,
    wrappedKey: row.wrapped_key === null ? null : new Uint8Array(row.wrapped_key),
    destroyedAt: row.destroyed_at === null ? null : new Date(row.destroyed_at),
  };
};

/** Stores a new wrapped key unless the client already has a row. */
export const insertDataKeyIfAbsent = async (
  sql: SqlExecutor,
  row: { clientId: string; keyId: string; masterKeyId: string; wrappedKey: Uint8Array },
): Promise<void> => {
  await sql.query(INSERT_IF_ABSENT, [
    row.clientId,
    row.keyId,
    row.masterKeyId,
    Buffer.from(row.wrappedKey),
  ]);
};

/**
 * Wipes a client's wrapped key and marks it destroyed; idempotent. The
 * `keyId` and `masterKeyId` are used only when the client had no row yet.
 */
export const destroyDataKey = async (
  sql: SqlExecutor,
  row: { clientId: string; keyId: string; masterKeyId: string },
): Promise<void> => {
  await sql.query(DESTROY, [row.clientId, row.keyId, row.masterKeyId]);
};
