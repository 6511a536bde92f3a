import { afterAll } from "vitest";
import { closeSharedPGlite, sharedPGlite } from "../support/stores.ts";
import { eventStoreContract } from "./eventStore.contract.ts";

afterAll(closeSharedPGlite);

eventStoreContract("embedded PGlite", sharedPGlite);
