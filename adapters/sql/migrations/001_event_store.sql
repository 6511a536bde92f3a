-- 001 event store: streams (one row per stream, holding its version),
-- events (the append-only log) and projection checkpoints.
-- Serves: adapters/eventStore (appendToStream, readAll, storeCheckpoint, …).
-- Locks: ACCESS EXCLUSIVE on the tables it creates, which no one reads yet;
-- nothing on existing tables. Every statement is idempotent.

-- The version is checked and moved here, under this row's lock, before an
-- event draws a sequence value: a rejected append never takes a position.
CREATE TABLE IF NOT EXISTS ferry_streams (
  stream_id text PRIMARY KEY,
  version integer NOT NULL CHECK (version > 0)
);

-- A sequence value is drawn at insert, not at commit, so sequence order is not
-- commit order. Readers order by the writing transaction's id first and only
-- read transactions older than every one still in flight (the xid8 fence).
CREATE TABLE IF NOT EXISTS ferry_events (
  sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id text NOT NULL,
  stream_version integer NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  -- Belt and braces behind the version check; also serves readStream.
  CONSTRAINT ferry_events_stream_version_key UNIQUE (stream_id, stream_version)
);

-- Serves readAll: the log in (transaction_id, sequence) order.
CREATE INDEX IF NOT EXISTS ferry_events_position_idx
  ON ferry_events (transaction_id, sequence);

-- One row per projection; moved by compare-and-set.
CREATE TABLE IF NOT EXISTS ferry_checkpoints (
  name text PRIMARY KEY,
  transaction_id xid8 NOT NULL,
  sequence bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
