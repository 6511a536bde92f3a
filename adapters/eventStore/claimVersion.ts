import { VersionConflictError, type ExpectedVersion } from "../../core/eventStore/eventStore.ts";
import type { SqlExecutor } from "../sql/sqlClient.ts";
import { streams as s } from "./tables.ts";

/*
 * One statement per case checks the expected version and moves the stream's
 * version in the same step, under the stream row's lock. A concurrent append
 * to the same stream waits on that lock and, in READ COMMITTED, re-checks its
 * condition against the committed row: it matches nothing and is a conflict.
 * A statement that matches no row is not an error, so the transaction stays
 * usable to read the actual version for the conflict.
 */
const claim = {
  exact: `
    UPDATE ${s.table} SET ${s.version} = ${s.version} + $2
    WHERE ${s.streamId} = $1 AND ${s.version} = $3
    RETURNING ${s.version} AS version`,
  no_stream: `
    INSERT INTO ${s.table} (${s.streamId}, ${s.version}) VALUES ($1, $2)
    ON CONFLICT (${s.streamId}) DO NOTHING
    RETURNING ${s.version} AS version`,
  stream_exists: `
    UPDATE ${s.table} SET ${s.version} = ${s.version} + $2
    WHERE ${s.streamId} = $1
    RETURNING ${s.version} AS version`,
  any: `
    INSERT INTO ${s.table} (${s.streamId}, ${s.version}) VALUES ($1, $2)
    ON CONFLICT (${s.streamId}) DO UPDATE SET ${s.version} = ${s.table}.${s.version} + $2
    RETURNING ${s.version} AS version`,
} as const;

const currentVersion = `SELECT ${s.version} AS version FROM ${s.table} WHERE ${s.streamId} = $1`;

/**
 * Checks `expected` against the stream and reserves `count` versions after
 * its current one; answers the version the stream had before. Runs before any
 * event is inserted, so a rejected append never draws a sequence value.
 *
 * @throws VersionConflictError with the actual version when `expected` fails.
 */
export async function claimVersion(
  tx: SqlExecutor,
  streamId: string,
  expected: ExpectedVersion,
  count: number,
): Promise<number> {
  const { text, params } = claimStatement(streamId, expected, count);

  const { rows } = await tx.query<{ version: number }>(text, params);
  const claimed = rows[0];

  if (claimed === undefined) {
    const actual = await tx.query<{ version: number }>(currentVersion, [streamId]);
    throw new VersionConflictError(streamId, expected, actual.rows[0]?.version ?? 0);
  }
  return claimed.version - count;
}

function claimStatement(streamId: string, expected: ExpectedVersion, count: number) {
  switch (expected.kind) {
    case "exact":
      // Version 0 is "no stream": there is no row holding it.
      return expected.version === 0
        ? { text: claim.no_stream, params: [streamId, count] }
        : { text: claim.exact, params: [streamId, count, expected.version] };
    case "no_stream":
    case "stream_exists":
    case "any":
      return { text: claim[expected.kind], params: [streamId, count] };
    default: {
      const unknown: never = expected;
      throw new Error(`unknown expected version ${JSON.stringify(unknown)}`);
    }
  }
}
