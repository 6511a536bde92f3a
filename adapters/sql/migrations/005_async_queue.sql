-- 005 async queue: one row per queued request (spec §5), the idempotency
-- keys of submissions, and the request log's view over both kinds of
-- request.
-- Serves: adapters/asyncQueue (submit, transition, claim, sweep, stats) and
-- adapters/requestLog's reads (listRequests, readRequest, usageReport).
-- Locks: ACCESS EXCLUSIVE on the tables and the view it creates, and a SHARE
-- lock on ferry_events while the partial index is built (appends wait for
-- it; the index covers one event type and builds quickly). Every statement is
-- idempotent.
--
-- The events on `async-{requestId}` are the truth; a row is their fold,
-- written in the same transaction as each append (so the queue never lags
-- its log) with the stream version it folds. Only the lease columns are the
-- row's own: who is delivering the request, and until when nobody else may.
CREATE TABLE IF NOT EXISTS ferry_async_requests (
  request_id text COLLATE "C" PRIMARY KEY,
  client_id text NOT NULL,
  proxy_id text NOT NULL,
  status text NOT NULL
    CHECK (status IN ('queued', 'in_flight', 'retrying', 'completed', 'failed')),
  occurred_at timestamptz NOT NULL,
  duration double precision NOT NULL CHECK (duration >= 0),
  response_status integer,
  record jsonb NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  -- Due time of the next attempt; for a request in flight, when that
  -- attempt started (it is due again once its lease ends).
  next_attempt_at timestamptz,
  lease_owner text,
  lease_until timestamptz
);

-- Serves the request log's reads, as the request log's own indexes do
-- (ascending: rows arrive in time order, see 006; listings read backwards).
CREATE INDEX IF NOT EXISTS ferry_async_requests_client_idx
  ON ferry_async_requests (client_id, occurred_at, request_id);
CREATE INDEX IF NOT EXISTS ferry_async_requests_proxy_idx
  ON ferry_async_requests (client_id, proxy_id, occurred_at, request_id);

-- Serves the workers' claim: the unfinished requests by due time.
CREATE INDEX IF NOT EXISTS ferry_async_requests_due_idx
  ON ferry_async_requests (next_attempt_at)
  WHERE status IN ('queued', 'in_flight', 'retrying');

-- An Idempotency-Key of a proxy's caller names the first request submitted
-- with it for 24 hours; an older entry is taken over by the next submission.
CREATE TABLE IF NOT EXISTS ferry_async_idempotency (
  proxy_id text NOT NULL,
  idempotency_key text NOT NULL,
  request_id text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (proxy_id, idempotency_key)
);

-- Serves the sweep's search for accepted requests that have no row.
CREATE INDEX IF NOT EXISTS ferry_events_async_accepted_idx
  ON ferry_events (sequence) WHERE type = 'AsyncRequestAccepted';

-- Every request a client made, synchronous or queued, in one relation with
-- the request log's columns. Both sides keep the same indexes, so a listing
-- newest first merges two index scans.
CREATE OR REPLACE VIEW ferry_requests AS
  SELECT request_id, client_id, proxy_id, status, occurred_at, duration, response_status, record
  FROM ferry_request_log
  UNION ALL
  SELECT request_id, client_id, proxy_id, status, occurred_at, duration, response_status, record
  FROM ferry_async_requests;
