/**
 * The SQL that unfolds request batch events into request log rows inside
 * Postgres, for `projectBatch.ts`: from the event table itself, or from
 * batches this process inflated (events stored compressed, migration 007).
 * Both share one unfolding, so a record becomes the same row either way.
 */
import { compressedDataColumn } from "../eventStore/eventData.ts";
import { events as e } from "../eventStore/tables.ts";
import { requestLog as t } from "./tables.ts";

const isoStamp = String.raw`^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z$`;

/*
 * A record goes straight into the log when every column it fills can be read
 * without doubt: an object with non-empty string ids and status (proxy and
 * client falling back to the batch's), a timestamp exactly as
 * `Date.prototype.toISOString` writes it on a real calendar day, a duration
 * that is a number (or absent) and a response status that is an integer in
 * range (or not a number). The values are then the ones `unfoldRecords`
 * computes. Any other record comes back to be unfolded there, where it gets
 * its row or is reported as malformed, so both paths answer the same rows.
 * The tests on each condition use CASE or jsonb comparisons only, never a
 * cast that could fail before it is reached.
 *
 * `batches` answers (tx, seq, stream_id, stream_version, records,
 * batch_proxy, batch_client), one row per batch event.
 */
const unfold = (batches: string) => `
  records AS MATERIALIZED (
    SELECT b.tx, b.seq, b.stream_id, b.stream_version, r.ord, r.rec,
           b.batch_proxy, b.batch_client, f.*,
           coalesce(
             jsonb_typeof(r.rec) = 'object'
             AND f.request_id IS NOT NULL AND f.status IS NOT NULL
             AND f.proxy_id IS NOT NULL AND f.client_id IS NOT NULL
             AND CASE WHEN f.stamp ~ '${isoStamp}'
                   THEN substr(f.stamp, 9, 2) <= '28'
                     OR extract(day FROM (substr(f.stamp, 1, 8) || '01')::date
                                         + (substr(f.stamp, 9, 2)::integer - 1))
                        = substr(f.stamp, 9, 2)::integer
                   ELSE false END
             AND (f.duration IS NULL OR jsonb_typeof(f.duration) = 'null'
                  OR (jsonb_typeof(f.duration) = 'number'
                      AND (f.duration <= '0'::jsonb OR f.duration BETWEEN '1e-300'::jsonb AND '1e300'::jsonb)))
             AND CASE WHEN jsonb_typeof(f.response_status) = 'number'
                   THEN f.response_status::numeric = trunc(f.response_status::numeric)
                     AND f.response_status BETWEEN '-2147483648'::jsonb AND '2147483647'::jsonb
                   ELSE true END,
             false) AS direct
    FROM (${batches}) AS b
    CROSS JOIN LATERAL jsonb_array_elements(
      CASE WHEN jsonb_typeof(b.records) = 'array' THEN b.records ELSE '[]'::jsonb END
    ) WITH ORDINALITY AS r(rec, ord)
    CROSS JOIN LATERAL (
      SELECT
        CASE WHEN jsonb_typeof(r.rec->'requestId') = 'string' THEN nullif(r.rec->>'requestId', '') END AS request_id,
        CASE WHEN jsonb_typeof(r.rec->'status') = 'string' THEN nullif(r.rec->>'status', '') END AS status,
        coalesce(
          CASE WHEN jsonb_typeof(r.rec->'proxyId') = 'string' THEN nullif(r.rec->>'proxyId', '') END,
          CASE WHEN jsonb_typeof(b.batch_proxy) = 'string' THEN nullif(b.batch_proxy #>> '{}', '') END
        ) AS proxy_id,
        coalesce(
          CASE WHEN jsonb_typeof(r.rec->'clientId') = 'string' THEN nullif(r.rec->>'clientId', '') END,
          CASE WHEN jsonb_typeof(b.batch_client) = 'string' THEN nullif(b.batch_client #>> '{}', '') END
        ) AS client_id,
        CASE WHEN jsonb_typeof(r.rec->'timestamp') = 'string' THEN r.rec->>'timestamp' END AS stamp,
        r.rec->'duration' AS duration,
        r.rec->'responseStatus' AS response_status
      OFFSET 0
    ) AS f
  ),
  inserted AS (
    INSERT INTO ${t.table} (
      ${t.requestId}, ${t.clientId}, ${t.proxyId}, ${t.status},
      ${t.occurredAt}, ${t.duration}, ${t.responseStatus}, ${t.record}
    )
    SELECT request_id, client_id, proxy_id, status,
           CASE WHEN direct THEN stamp::timestamptz END,
           CASE WHEN direct AND jsonb_typeof(duration) = 'number' AND duration > '0'::jsonb
             THEN duration::double precision ELSE 0 END,
           CASE WHEN direct AND jsonb_typeof(response_status) = 'number'
             THEN response_status::numeric::integer END,
           rec
    FROM records
    WHERE direct
    ON CONFLICT (${t.requestId}) DO NOTHING
  )`;

/** The records the unfolding left to JS, in log order. */
const leftOver = `
  SELECT false AS is_summary, stream_id, stream_version, ord::integer AS ord, rec,
         jsonb_build_object('proxyId', batch_proxy, 'clientId', batch_client) AS batch,
         NULL::text AS compressed,
         NULL::integer AS picked, NULL AS transaction_id, NULL AS sequence,
         NULL AS head_transaction_id, NULL AS head_sequence
  FROM (SELECT * FROM records WHERE NOT direct ORDER BY tx, seq, ord) AS left_over`;

/*
 * Batches from the log: `data #> '{}'` detoasts a batch once per event; each
 * field is then read from that copy. Compressed batches are not read here.
 */
const batchesFromLog = `
      SELECT p.tx, p.seq, p.stream_id, p.stream_version,
             batch.d->'records' AS records, batch.d->'proxyId' AS batch_proxy,
             batch.d->'clientId' AS batch_client
      FROM picked p CROSS JOIN LATERAL (SELECT p.data #> '{}' AS d OFFSET 0) AS batch
      WHERE p.type = 'ProxyRequestsRecorded' AND p.compressed IS NULL
      OFFSET 0`;

/**
 * The batch events after a position, unfolded where they are stored, so that
 * records never travel to this process and back: up to $3 events of the
 * streams starting with $4, after ($1, $2), under the same xid8 fence as
 * `readAll` (only transactions older than the oldest in flight).
 *
 * Answers the rows it left to JS; then, for each batch stored compressed,
 * one row with its bytes as base64 (`unfoldGiven` takes them once
 * inflated); then one row with the number of events it read, the last one's
 * position and the head of the log under the fence (both null when there
 * are none).
 */
export const unfoldFromLog = `
  WITH fence AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
  picked AS MATERIALIZED (
    SELECT ${e.table}.${e.transactionId} AS tx, ${e.table}.${e.sequence} AS seq,
           ${e.streamId} AS stream_id, ${e.streamVersion} AS stream_version,
           ${e.type} AS type, ${e.data} AS data,
           ${compressedDataColumn()} AS compressed
    FROM ${e.table}, fence
    WHERE (${e.table}.${e.transactionId}, ${e.table}.${e.sequence}) > ($1::text::xid8, $2::text::bigint)
      AND ${e.table}.${e.transactionId} < fence.xmin
      AND starts_with(${e.table}.${e.streamId}, $4::text)
    ORDER BY ${e.table}.${e.transactionId}, ${e.table}.${e.sequence}
    LIMIT $3
  ),
  head AS (
    SELECT ${e.table}.${e.transactionId} AS tx, ${e.table}.${e.sequence} AS seq
    FROM ${e.table}, fence
    WHERE ${e.table}.${e.transactionId} < fence.xmin
    ORDER BY ${e.table}.${e.transactionId} DESC, ${e.table}.${e.sequence} DESC
    LIMIT 1
  ),
  ${unfold(batchesFromLog)}
${leftOver}
  UNION ALL
  SELECT false, stream_id, stream_version, NULL, NULL, NULL, compressed,
         NULL, NULL, NULL, NULL, NULL
  FROM picked
  WHERE type = 'ProxyRequestsRecorded' AND compressed IS NOT NULL
  UNION ALL
  SELECT true, NULL, NULL, NULL, NULL, NULL, NULL,
         (SELECT count(*)::integer FROM picked),
         last.tx::text, last.seq::text, head.tx::text, head.seq::text
  FROM (SELECT 1) AS one
  LEFT JOIN (SELECT tx, seq FROM picked ORDER BY tx DESC, seq DESC LIMIT 1) AS last ON true
  LEFT JOIN head ON true`;

/**
 * Batches given as $1, a JSON array of `{streamId, streamVersion, data}`
 * (the inflated JSON of compressed batch events), unfolded by the same rules.
 * Answers the rows it left to JS, as `unfoldFromLog` does.
 */
export const unfoldGiven = `
  WITH ${unfold(`
      SELECT NULL::xid8 AS tx, given.ord AS seq, given.item->>'streamId' AS stream_id,
             (given.item->>'streamVersion')::integer AS stream_version,
             given.item->'data'->'records' AS records,
             given.item->'data'->'proxyId' AS batch_proxy,
             given.item->'data'->'clientId' AS batch_client
      FROM jsonb_array_elements($1::text::jsonb) WITH ORDINALITY AS given(item, ord)
      OFFSET 0`)}
${leftOver}`;
