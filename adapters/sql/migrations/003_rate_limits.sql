-- 003 rate limits: one row per key and fixed window, counting the requests
-- the window has granted to every proxy process together (spec §2 Rule
-- `rateLimit`, §4 step 4: `maxRequestsPerMinute` / `maxRequestsPerDay`).
-- Serves: adapters/rateLimit (createSharedRateLimiter: leaseQuota, sweepWindows).
-- Locks: ACCESS EXCLUSIVE on the table it creates, which no one reads yet;
-- nothing on existing tables. Every statement is idempotent.
--
-- Processes lease blocks of a window's quota (granted moves by the block) and
-- spend them in memory, so the row is written once per block, not once per
-- request. last_grant is what the latest lease received: RETURNING sees only
-- the new row, and the lease needs the difference. Times are epoch
-- milliseconds, the callers' own clock, so that every process derives the
-- same window_start for the same instant. The table is logged (not UNLOGGED)
-- because a crash that emptied it would restart every current window at zero.
CREATE TABLE IF NOT EXISTS ferry_rate_limit_windows (
  limit_key text NOT NULL,
  window_ms bigint NOT NULL CHECK (window_ms > 0),
  window_start bigint NOT NULL,
  window_end bigint NOT NULL,
  granted bigint NOT NULL CHECK (granted >= 0),
  last_grant bigint NOT NULL CHECK (last_grant >= 0),
  PRIMARY KEY (limit_key, window_ms, window_start)
);

-- Serves the sweep of ended windows (DELETE … WHERE window_end < $1).
CREATE INDEX IF NOT EXISTS ferry_rate_limit_windows_end_idx
  ON ferry_rate_limit_windows (window_end);
