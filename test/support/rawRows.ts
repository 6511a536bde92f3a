/**
 * The store at rest as text, for tests that search it for what must not be
 * there: every row of every table, and the inflated JSON of event data
 * stored compressed (`adapters/eventStore/eventData.ts`), which the raw
 * bytes would hide.
 */
import { compressedDataColumn, inflatedJson } from "../../adapters/eventStore/eventData.ts";
import { events } from "../../adapters/eventStore/tables.ts";
import type { SqlExecutor } from "../../adapters/sql/sqlClient.ts";

/** Every compressed event data of the log, inflated: one JSON text per event. */
export async function inflatedEventData(sql: SqlExecutor): Promise<string[]> {
  const { rows } = await sql.query<{ compressed: string }>(
    `SELECT ${compressedDataColumn()} AS compressed FROM ${events.table}
     WHERE ${events.compressedData} IS NOT NULL`,
  );
  return rows.map((row) => inflatedJson(row.compressed));
}
