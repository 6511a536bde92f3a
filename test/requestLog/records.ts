/** Builders and waits the request log suites share. */
import type { RequestRecord } from "../../core/domain/events.ts";
import { streams } from "../../core/domain/events.ts";
import {
  expectAny,
  type EventInput,
  type EventStore,
  type RecordedEvent,
} from "../../core/eventStore/eventStore.ts";
import type { SqlExecutor } from "../../adapters/sql/sqlClient.ts";

let counter = 0;

/** A completed request record; `overrides` change any field. */
export const recordOf = (overrides: Partial<RequestRecord> = {}): RequestRecord => {
  counter += 1;
  return {
    requestId: `req_${String(counter).padStart(8, "0")}_${Math.random().toString(36).slice(2, 8)}`,
    clientId: "cli_A",
    proxyId: "prx_1",
    method: "GET",
    path: "/items",
    query: "",
    status: "completed",
    responseStatus: 200,
    duration: 12,
    timestamp: new Date().toISOString(),
    code: "proxy-access-granted",
    targetCredentialId: "crd_T",
    targetCredentialVersion: 1,
    requestBytes: 0,
    responseBytes: 2,
    ...overrides,
  };
};

/** The batch event the request recorder writes for one proxy's records. */
export const batchOf = (records: RequestRecord[]): EventInput => ({
  type: "ProxyRequestsRecorded",
  data: { proxyId: records[0]!.proxyId, clientId: records[0]!.clientId, records },
});

/** The batch event as read back from the log, for unfolding without a store. */
export const recordedBatch = (records: RequestRecord[]): RecordedEvent => ({
  ...batchOf(records),
  streamId: streams.requests(records[0]!.proxyId),
  streamVersion: 1,
  position: { transactionId: 1n, sequence: 1n },
  recordedAt: new Date().toISOString(),
  metadata: {},
});

/** Appends one batch event to the records' proxy stream, as the recorder does. */
export const appendBatch = (store: EventStore, records: RequestRecord[]) =>
  store.appendToStream(streams.requests(records[0]!.proxyId), [batchOf(records)], expectAny);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const countRows = async (sql: SqlExecutor): Promise<number> =>
  (await sql.query<{ n: number }>("SELECT count(*)::integer AS n FROM ferry_request_log")).rows[0]!
    .n;

/** Resolves once `check` answers true; fails after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`);
    await sleep(20);
  }
}

/** Waits until the log holds exactly `count` rows (and fails if it holds more). */
export async function waitForRows(sql: SqlExecutor, count: number): Promise<void> {
  let seen = -1;
  await eventually(async () => {
    seen = await countRows(sql);
    if (seen > count) throw new Error(`expected ${count} rows, found ${seen}`);
    return seen === count;
  }, `${count} rows in the request log (last seen ${seen})`);
}

/** Checkpoints of the request log projection, by name. */
export async function checkpointsOf(
  sql: SqlExecutor,
): Promise<Record<string, { transactionId: bigint; sequence: bigint }>> {
  const { rows } = await sql.query<{ name: string; transaction_id: string; sequence: string }>(
    `SELECT name, transaction_id::text AS transaction_id, sequence::text AS sequence
     FROM ferry_checkpoints WHERE starts_with(name, 'request_log@')`,
  );
  return Object.fromEntries(
    rows.map((row) => [
      row.name,
      { transactionId: BigInt(row.transaction_id), sequence: BigInt(row.sequence) },
    ]),
  );
}
