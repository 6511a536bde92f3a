/**
 * The worker thread that owns the embedded Postgres, so that WASM Postgres
 * and its synchronous file writes never run on the proxy's event loop. It
 * answers the requests in `workerMessages.ts`; `startPGliteWorker` is the
 * other end.
 *
 * Top-level work (a query outside a transaction, a whole transaction) runs
 * one at a time in arrival order, as PGlite runs it in-thread: a query sent
 * while a transaction is open waits for it to end and never runs inside it.
 * Queries tagged with a transaction run inside that transaction at once.
 */
import { PGlite } from "@electric-sql/pglite";
import { sqlIdentifier } from "../sql/identifier.ts";
import type { SqlClient, SqlExecutor } from "../sql/sqlClient.ts";
import { pgliteClient } from "./pgliteClient.ts";
import { toRemoteError } from "./remoteError.ts";
import type { WorkerEnvelope, WorkerReply, WorkerRequest } from "./workerMessages.ts";

declare const self: Worker;

type OpenTransaction = { tx: SqlExecutor; decide(commit: boolean): void; finished: Promise<void> };

let db: PGlite | null = null;
let closing = false;
let turn: Promise<unknown> = Promise.resolve();
let nextId = 1;
const clients = new Map<number, SqlClient>();
const transactions = new Map<number, OpenTransaction>();

/** Thrown inside `db.transaction` to make it roll back; never leaves the worker. */
const rollBack = new Error("rolled back by the caller");

self.onmessage = (event: MessageEvent<WorkerEnvelope>) => {
  const { id } = event.data;
  handle(event.data).then(
    (value) => reply({ id, value }),
    (error: unknown) => reply({ id, error: toRemoteError(error) }),
  );
};

function reply(message: WorkerReply): void {
  try {
    self.postMessage(message);
  } catch (error) {
    // A value structured clone cannot carry: the caller gets why, not silence.
    self.postMessage({ id: message.id, error: toRemoteError(error) } satisfies WorkerReply);
  }
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case "open":
      return open(request.dataDir);
    case "attach":
      return attach(request.schema);
    case "detach":
      clients.delete(request.client);
      return;
    case "query":
      return request.tx === undefined
        ? inTurn(() => clientOf(request.client).query(request.text, request.params))
        : transactionOf(request.tx).query(request.text, request.params);
    case "exec":
      return request.tx === undefined
        ? inTurn(() => clientOf(request.client).exec(request.script))
        : transactionOf(request.tx).exec(request.script);
    case "begin":
      return begin(clientOf(request.client));
    case "end":
      return end(request.tx, request.commit);
    case "close":
      return close();
    default: {
      const unknown: never = request;
      throw new Error(`unknown request ${JSON.stringify(unknown)}`);
    }
  }
}

async function open(dataDir: string | undefined): Promise<void> {
  try {
    db = await PGlite.create(dataDir === undefined ? {} : { dataDir });
  } catch (error) {
    const reason = toRemoteError(error).message;
    throw new Error(`cannot open PGlite in ${dataDir ?? "memory"}: ${reason}`);
  }
}

function attach(schema: string | undefined): Promise<number> {
  const database = db;
  if (database === null) return Promise.reject(new Error("PGlite is not open"));

  return inTurn(async () => {
    if (schema !== undefined) {
      await database.exec(`CREATE SCHEMA IF NOT EXISTS ${sqlIdentifier(schema)}`);
    }

    const id = nextId++;
    // The worker owns the database: a client letting go closes nothing.
    clients.set(id, pgliteClient(database, { schema, close: async () => {} }));
    return id;
  });
}

/**
 * Answers once the transaction is open; it stays open until `end`. A failure
 * before it opens (BEGIN, the search_path) rejects `begin`; one after (COMMIT)
 * rejects `end`.
 */
function begin(client: SqlClient): Promise<number> {
  const id = nextId++;
  let decide = (_: boolean) => {};
  const decided = new Promise<boolean>((resolve) => (decide = resolve));
  let opened = false;

  return new Promise<number>((resolve, reject) => {
    const finished: Promise<void> = inTurn(() =>
      client.transaction(async (tx) => {
        // Registered here, not when `begin` answers, so a close always finds it.
        if (closing) throw closedError();
        transactions.set(id, { tx, decide, finished });
        opened = true;
        resolve(id);
        if (!(await decided)) throw rollBack;
      }),
    ).then(
      () => undefined,
      (error: unknown) => {
        if (error === rollBack) return;
        if (opened) throw error;
        reject(error);
      },
    );
  });
}

function end(id: number, commit: boolean): Promise<void> {
  const open = transactions.get(id);
  if (open === undefined) return Promise.reject(new Error("the transaction is already over"));

  transactions.delete(id);
  open.decide(commit);
  return open.finished;
}

async function close(): Promise<void> {
  closing = true;
  for (const [id, open] of transactions) {
    transactions.delete(id);
    open.decide(false);
    open.finished.catch(() => undefined);
  }

  // Work already queued is refused (`inTurn`); the piece running finishes.
  await turn;
  await db?.close();
  db = null;
}

function inTurn<T>(task: () => Promise<T>): Promise<T> {
  const run = turn.then(() => {
    if (closing) throw closedError();
    return task();
  });
  turn = run.catch(() => undefined);
  return run;
}

function clientOf(id: number): SqlClient {
  const client = clients.get(id);
  if (client === undefined) throw new Error("this PGlite client is closed");
  return client;
}

function transactionOf(id: number): SqlExecutor {
  const open = transactions.get(id);
  if (open === undefined) throw new Error("the transaction is already over");
  return open.tx;
}

const closedError = () => new Error("PGlite is closing");
