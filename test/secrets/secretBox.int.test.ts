import { describe } from "vitest";
import { describeSecretBox } from "./secretBoxSuite.ts";
import { openPGliteStore, openPostgresStore } from "./stores.ts";

const databaseUrl = process.env.DATABASE_URL;

describe("secret box on PGlite", () => {
  describeSecretBox(openPGliteStore);
});

describe.skipIf(!databaseUrl)("secret box on server Postgres", () => {
  describeSecretBox(() => openPostgresStore(databaseUrl!));
});
