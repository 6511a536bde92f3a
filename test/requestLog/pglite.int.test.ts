/** The request log's projector and queries on embedded PGlite. */
import { afterAll } from "vitest";
import { closeSharedPGlite, sharedPGlite } from "../support/stores.ts";
import { projectorSuite } from "./projector.suite.ts";
import { queriesSuite } from "./queries.suite.ts";

afterAll(closeSharedPGlite);

projectorSuite("embedded PGlite", sharedPGlite);
queriesSuite("embedded PGlite", sharedPGlite);
