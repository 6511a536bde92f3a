/**
 * The contract on embedded PGlite, and its one quirk: the log lives in a data
 * folder and survives a restart.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createSqlEventStore } from "../../adapters/eventStore/createSqlEventStore.ts";
import { openPGlite } from "../../adapters/pglite/openPGlite.ts";
import { migrate } from "../../adapters/sql/migrate.ts";
import { expectExact, expectNoStream } from "../../core/eventStore/eventStore.ts";
import { closeSharedPGlite, sharedPGlite } from "../support/stores.ts";
import { eventStoreContract } from "./eventStore.contract.ts";
import { event } from "./helpers.ts";

afterAll(closeSharedPGlite);

eventStoreContract("embedded PGlite", sharedPGlite);

describe("embedded PGlite in a data folder", () => {
  it("keeps the log and the stream versions across a reopen", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "ferry-pglite-"));
    try {
      const first = await openPGlite({ dataDir, schema: "ferry" });
      await migrate(first);
      await createSqlEventStore(first).appendToStream("s", [event("Before")], expectNoStream);
      await first.close();

      const second = await openPGlite({ dataDir, schema: "ferry" });
      const store = createSqlEventStore(second);
      expect(await migrate(second)).toEqual([]);
      await store.appendToStream("s", [event("After")], expectExact(1));
      const { events, currentVersion } = await store.readStream("s");
      await second.close();

      expect(currentVersion).toBe(2);
      expect(events.map((e) => e.type)).toEqual(["Before", "After"]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
