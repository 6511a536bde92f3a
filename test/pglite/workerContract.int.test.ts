/**
 * The event store contract on PGlite running in a worker thread, the way
 * `ferry serve` opens the embedded store. One worker for the file, a fresh
 * schema per test (a worker per test would pay the seconds-long open each
 * time).
 */
import { afterAll } from "vitest";
import { eventStoreContract } from "../eventStore/eventStore.contract.ts";
import { closeSharedWorker, sharedWorkerPGlite } from "./sharedWorker.ts";

afterAll(closeSharedWorker);

eventStoreContract("PGlite in a worker thread", sharedWorkerPGlite);
