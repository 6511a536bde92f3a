-- 002 data keys: one data key per client for envelope encryption of secrets
-- (spec §2, Credential).
-- Serves: adapters/secrets (createSecretBox: seal, open, destroyClientKey).
-- Locks: ACCESS EXCLUSIVE on the table it creates, which no one reads yet;
-- nothing on existing tables. Every statement is idempotent.
--
-- wrapped_key is the data key wrapped by the master key (never the key
-- itself). Destroying a client's key sets it to NULL and stamps destroyed_at
-- (crypto-shredding); the row stays so that the client can never be given a
-- fresh key that would make new secrets readable again. master_key_id names
-- the master key that wrapped the key, so a start with the wrong
-- FERRY_MASTER_KEY can say so.
CREATE TABLE IF NOT EXISTS ferry_data_keys (
  client_id text PRIMARY KEY,
  key_id text NOT NULL,
  master_key_id text NOT NULL,
  wrapped_key bytea,
  created_at timestamptz NOT NULL DEFAULT now(),
  destroyed_at timestamptz,
  CONSTRAINT ferry_data_keys_destroyed_has_no_key
    CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);
