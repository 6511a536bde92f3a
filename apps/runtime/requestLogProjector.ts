/**
 * Starts this process's request log projector (spec §6) with the logger
 * behind its callbacks. Every process that runs a Core API runs one: on a
 * shared Postgres they take turns by compare-and-set on one checkpoint.
 */
import {
  requestLogProjection,
  startRequestLogProjector,
  type RequestLogProjector,
  type YieldTo,
} from "../../adapters/requestLog/index.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import { logFields, type Logger } from "./logger.ts";

export const startRequestLog = async (deps: {
  sql: SqlClient;
  logger: Logger;
  /** The proxy of this process, whose traffic comes first. */
  yieldTo?: YieldTo;
}): Promise<RequestLogProjector> => {
  const logger = deps.logger.child({ [logFields.component]: "request_log" });

  const projector = await startRequestLogProjector({
    sql: deps.sql,
    yieldTo: deps.yieldTo,
    onError: (error) =>
      logger.error(
        { [logFields.error]: error instanceof Error ? error.message : String(error) },
        "request log projection failed; retrying",
      ),
    onMalformed: (records) =>
      logger.warn({ records }, "request records left out of the log: they cannot be read"),
    onSuperseded: (newerVersion) =>
      logger.warn(
        { version: requestLogProjection.version, newerVersion },
        "a newer version projects the request log; this process only reads it",
      ),
  });

  if (projector.started.kind === "ready" && projector.started.rebuilt)
    logger.info(
      { version: requestLogProjection.version },
      "request log projection changed; rebuilding it from the log",
    );
  return projector;
};
