/**
 * What the main thread and the PGlite worker say to each other. Every request
 * carries an id and gets exactly one reply with that id. Values cross by
 * structured clone (Date, bigint, Uint8Array and plain objects survive it as
 * they are), so nothing is encoded on the way.
 */
import type { RemoteError } from "./remoteError.ts";

export type WorkerRequest =
  | { op: "open"; dataDir?: string }
  /** Registers a client on `schema` (created if missing); answers its number. */
  | { op: "attach"; schema?: string }
  | { op: "detach"; client: number }
  /** Without `tx`, waits its turn behind any open transaction; with it, runs inside. */
  | { op: "query"; client: number; tx?: number; text: string; params?: unknown[] }
  | { op: "exec"; client: number; tx?: number; script: string }
  /** Answers a transaction number once BEGIN has run. */
  | { op: "begin"; client: number }
  /** Commits or rolls back; answers once the transaction is over. */
  | { op: "end"; tx: number; commit: boolean }
  | { op: "close" };

export type WorkerEnvelope = WorkerRequest & { id: number };

export type WorkerReply = { id: number; value?: unknown; error?: RemoteError };
