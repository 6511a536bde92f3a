/**
 * Retention of request records (default 90 days): a sweep shortly after
 * start and then hourly removes older request events and their request log
 * rows. Several processes on one Postgres may sweep at once; the second finds
 * nothing left to remove.
 */
import { pruneRequests } from "../../adapters/requestLog/index.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import type { Logger } from "./logger.ts";

const DAY_MS = 86_400_000;
const FIRST_SWEEP_MS = 60_000;
const SWEEP_EVERY_MS = 3_600_000;

export const startRetention = (deps: {
  sql: SqlClient;
  logger: Logger;
  /** 0 keeps request records forever. */
  days: number;
  now?: () => number;
}): { sweep(): Promise<void>; stop(): void } => {
  const now = deps.now ?? Date.now;
  let running: Promise<void> = Promise.resolve();

  const sweep = () => {
    const run = async () => {
      if (deps.days <= 0) return;
      try {
        const removed = await pruneRequests(deps.sql, new Date(now() - deps.days * DAY_MS));
        if (removed.events > 0)
          deps.logger.info(
            { ...removed, days: deps.days },
            "request records past retention removed",
          );
      } catch (error) {
        deps.logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          "request record retention failed; will retry",
        );
      }
    };
    running = running.then(run, run);
    return running;
  };

  const first = setTimeout(() => void sweep(), FIRST_SWEEP_MS);
  const every = setInterval(() => void sweep(), SWEEP_EVERY_MS);
  first.unref?.();
  every.unref?.();
  return {
    sweep,
    stop: () => {
      clearTimeout(first);
      clearInterval(every);
    },
  };
};
