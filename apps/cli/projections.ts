/**
 * `ferry projections rebuild [name]` (spec §6): drops a read model and
 * rebuilds it from the event log, with a progress bar (records done, rate,
 * time left). Only the request log is a stored read model; the configuration
 * view is rebuilt in memory by every process at start. On Postgres the live
 * system keeps serving meanwhile (its projectors take part in the rebuild);
 * on the embedded store the server must be stopped.
 */
import cliProgress from "cli-progress";
import {
  countRecords,
  newestRequestPosition,
  rebuildRequestLog,
  requestLogProjection,
} from "../../adapters/requestLog/index.ts";
import { requestLog as table } from "../../adapters/requestLog/tables.ts";
import { checkpointName } from "../../adapters/requestLog/projection.ts";
import { comparePositions } from "../../core/eventStore/eventStore.ts";
import { startRequestLog } from "../runtime/requestLogProjector.ts";
import { withFerry } from "./withFerry.ts";

export const projectionNames = [requestLogProjection.name] as const;

const countRows = `SELECT count(*)::text AS n FROM ${table.table}`;

const POLL_MS = 200;
/** Gives up waiting when the count has not moved for this long. */
const STALL_MS = 30_000;

export const rebuildCommand = (name: string | undefined) =>
  withFerry(async ({ logger }, ferry) => {
    const wanted = name ?? requestLogProjection.name;
    if (!(projectionNames as readonly string[]).includes(wanted))
      throw new Error(`no projection ${wanted}; there is ${projectionNames.join(", ")}`);

    const number = async (text: string) =>
      Number((await ferry.sql.query<{ n: string }>(text)).rows[0]!.n);
    const total = await countRecords(ferry.sql);
    const head = await newestRequestPosition(ferry.sql);
    // Past the head, every record that can be read has its row: records
    // that cannot be read, or a request id seen twice, make none.
    const reachedHead = async () => {
      if (head === null) return true;
      const at = await ferry.store.readCheckpoint(checkpointName(requestLogProjection.version));
      return at !== null && comparePositions(at, head) >= 0;
    };
    await rebuildRequestLog(ferry.sql);
    const projector = await startRequestLog({ sql: ferry.sql, logger });

    const bar = new cliProgress.SingleBar(
      {
        format:
          "request_log |{bar}| {value}/{total} records | {rate} records/s | {eta_formatted} left",
        noTTYOutput: true,
        notTTYSchedule: 1000,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = performance.now();
    bar.start(total, 0, { rate: 0 });
    let done = 0;
    let movedAt = Date.now();
    try {
      while (done < total && !(await reachedHead())) {
        await Bun.sleep(POLL_MS);
        const now = await number(countRows);
        if (now !== done) movedAt = Date.now();
        done = now;
        const seconds = (performance.now() - started) / 1000;
        bar.update(done, { rate: Math.round(done / Math.max(seconds, 0.001)) });
        if (Date.now() - movedAt > STALL_MS)
          throw new Error(`the rebuild stalled at ${done} of ${total} records`);
      }
      done = await number(countRows);
      bar.update(done);
    } finally {
      bar.stop();
      await projector.close();
    }
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${JSON.stringify({ projection: wanted, records: done, seconds: Number(seconds.toFixed(2)), recordsPerSecond: Math.round(done / Math.max(seconds, 0.001)) })}\n`,
    );
  });
