/**
 * The request log's identity as a projection. `version` changes whenever
 * the way events become rows changes (a new column filled, a record field
 * read differently): the checkpoint is stored under `request_log@{version}`,
 * so a process that finds an older version's checkpoint at start drops the
 * rows and projects the whole log again (`prepareRequestLog`).
 */
import { streams } from "../../core/domain/events.ts";

export const requestLogProjection = {
  name: "request_log",
  version: 1,
  /** Request records live on these streams and on no others. */
  streamPrefix: streams.requests(""),
} as const;

export const checkpointPrefix = `${requestLogProjection.name}@`;

/** The checkpoint name of a version of the projection. */
export const checkpointName = (version: number): string => `${checkpointPrefix}${version}`;

/** The version a checkpoint name carries, or null for another projection's name. */
export const versionOf = (name: string): number | null => {
  if (!name.startsWith(checkpointPrefix)) return null;
  const version = Number(name.slice(checkpointPrefix.length));
  return Number.isInteger(version) && version > 0 ? version : null;
};
