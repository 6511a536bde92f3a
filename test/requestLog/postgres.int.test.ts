/**
 * The request log's projector and queries on server Postgres, and what only
 * server Postgres shows: projectors in two processes' pools racing on one
 * checkpoint, and a rebuild at start taken by exactly one of them.
 */
import { describe } from "vitest";
import { freshPostgresSchema, hasPostgres } from "../support/stores.ts";
import { projectorSuite } from "./projector.suite.ts";
import { queriesSuite } from "./queries.suite.ts";
import { twoPoolsSuite } from "./twoPools.suite.ts";

describe.skipIf(!hasPostgres)("server Postgres", () => {
  projectorSuite("server Postgres", () => freshPostgresSchema());
  queriesSuite("server Postgres", () => freshPostgresSchema());
  twoPoolsSuite();
});
