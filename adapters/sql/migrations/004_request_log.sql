-- 004 request log: one row per proxied request, unfolded from the batch
-- events on the `requests-{proxyId}` streams (spec §3 "Request logs",
-- "Usage"; §6 projections).
-- Serves: adapters/requestLog (projectBatch, listRequests, readRequest,
-- usageReport, prepareRequestLog).
-- Locks: ACCESS EXCLUSIVE on the table it creates, which no one reads yet;
-- nothing on existing tables. Every statement is idempotent.
--
-- The columns are what the queries filter and sort on; `record` is the whole
-- record as the proxy wrote it (its query already redacted), which is what
-- the API answers. The table is a read model: it can be dropped and rebuilt
-- from the log at any time, and its projection version lives in the name of
-- its checkpoint (`request_log@N` in ferry_checkpoints).
--
-- request_id is the primary key so that a batch delivered twice inserts
-- nothing the second time (ON CONFLICT DO NOTHING). It sorts byte-wise
-- (COLLATE "C"): it breaks ties of the timestamp in the keyset order, and the
-- cursor must compare exactly as the index sorts.
CREATE TABLE IF NOT EXISTS ferry_request_log (
  request_id text COLLATE "C" PRIMARY KEY,
  client_id text NOT NULL,
  proxy_id text NOT NULL,
  status text NOT NULL,
  occurred_at timestamptz NOT NULL,
  duration double precision NOT NULL CHECK (duration >= 0),
  response_status integer,
  record jsonb NOT NULL
);

-- Serves the client's log newest first (keyset pagination on
-- occurred_at, request_id) and the client's usage over a time range.
CREATE INDEX IF NOT EXISTS ferry_request_log_client_idx
  ON ferry_request_log (client_id, occurred_at DESC, request_id DESC);

-- The same for one proxy (`?proxyId=` and the proxy-scoped routes).
CREATE INDEX IF NOT EXISTS ferry_request_log_proxy_idx
  ON ferry_request_log (client_id, proxy_id, occurred_at DESC, request_id DESC);
