/**
 * Two processes' worth of projectors on one Postgres schema: each with its
 * own pool and store, so their transactions really run at once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSqlEventStore } from "../../adapters/eventStore/createSqlEventStore.ts";
import { openPostgres } from "../../adapters/postgres/openPostgres.ts";
import {
  startRequestLogProjector,
  type RequestLogProjector,
} from "../../adapters/requestLog/index.ts";
import { migrate } from "../../adapters/sql/migrate.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import { comparePositions, type EventStore } from "../../core/eventStore/eventStore.ts";
import { freshPostgresSchema } from "../support/stores.ts";
import { appendBatch, checkpointsOf, eventually, recordOf, waitForRows } from "./records.ts";

type Process = { sql: SqlClient; store: EventStore };

export function twoPoolsSuite(): void {
  describe("request log projectors in two pools", () => {
    let first: Process;
    let second: Process;
    let projectors: RequestLogProjector[];

    beforeEach(async () => {
      const sql = await freshPostgresSchema();
      await migrate(sql);
      const { rows } = await sql.query<{ schema: string }>("SELECT current_schema() AS schema");
      const other = await openPostgres({
        connectionString: process.env.DATABASE_URL ?? "",
        schema: rows[0]!.schema,
      });
      first = { sql, store: createSqlEventStore(sql, { retryMs: 50 }) };
      second = { sql: other, store: createSqlEventStore(other, { retryMs: 50 }) };
      projectors = [];
    });

    afterEach(async () => {
      await Promise.all(projectors.map((projector) => projector.close()));
      await Promise.all([first.store.close(), second.store.close()]);
      await second.sql.close();
      await first.sql.close();
    });

    const start = async (process: Process, version = 1) => {
      const projector = await startRequestLogProjector({ ...process, version });
      projectors.push(projector);
      return projector;
    };

    it("write every record once while both project and both append", async () => {
      await Promise.all([start(first), start(second)]);

      await Promise.all(
        Array.from({ length: 30 }, (_, n) =>
          appendBatch(n % 2 === 0 ? first.store : second.store, [
            recordOf({ proxyId: `prx_${n % 4}` }),
            recordOf({ proxyId: `prx_${n % 4}` }),
          ]),
        ),
      );

      await waitForRows(first.sql, 60);
      const { events } = await first.store.readAll(null, 1000);
      await eventually(
        async () =>
          comparePositions(
            (await checkpointsOf(first.sql))["request_log@1"]!,
            events.at(-1)!.position,
          ) === 0,
        "checkpoint at the last batch",
      );
    });

    it("rebuild once when both start a new version at the same moment", async () => {
      await appendBatch(first.store, [recordOf(), recordOf(), recordOf()]);
      const v1 = await start(first, 1);
      await waitForRows(first.sql, 3);
      await v1.close();

      const [a, b] = await Promise.all([start(first, 2), start(second, 2)]);

      const rebuilt = [a, b].filter((p) => p.started.kind === "ready" && p.started.rebuilt);
      expect(rebuilt).toHaveLength(1);
      await waitForRows(first.sql, 3);
      expect(Object.keys(await checkpointsOf(first.sql))).toEqual(["request_log@2"]);
    });
  });
}
