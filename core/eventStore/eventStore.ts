/**
 * The event store port. Adapters (server Postgres on `pg`, embedded PGlite)
 * implement it with the same SQL; the core and the apps depend only on this.
 */

/** A new event, before it has a position in the log. */
export type EventInput = {
  type: string;
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
};

/**
 * A position in the global log. Events are ordered by the id of the
 * transaction that wrote them, then by a sequence drawn inside it: a reader
 * that only reads transactions older than every one still in flight never
 * skips an event committed late (the xid8 fence, as in Marten and emmett).
 */
export type GlobalPosition = {
  transactionId: bigint;
  sequence: bigint;
};

export type RecordedEvent = EventInput & {
  streamId: string;
  /** 1-based version of the event within its stream. */
  streamVersion: number;
  position: GlobalPosition;
  recordedAt: string;
  metadata: Record<string, unknown>;
};

/** What an append expects of the stream it writes to. */
export type ExpectedVersion =
  | { kind: "exact"; version: number }
  | { kind: "no_stream" }
  | { kind: "stream_exists" }
  | { kind: "any" };

export const expectExact = (version: number): ExpectedVersion =>
  version === 0 ? { kind: "no_stream" } : { kind: "exact", version };
export const expectAny: ExpectedVersion = { kind: "any" };
export const expectNoStream: ExpectedVersion = { kind: "no_stream" };
export const expectStreamExists: ExpectedVersion = { kind: "stream_exists" };

export type AppendResult = {
  /** Version of the stream after the append. */
  nextVersion: number;
  /** Position of the last event appended. */
  lastPosition: GlobalPosition;
};

/** Thrown (infrastructure-level) when an expected version does not hold. */
export class VersionConflictError extends Error {
  readonly code = "version_conflict";
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(
      `version conflict on ${streamId}: expected ${describeExpected(expected)}, actual ${actual}`,
    );
  }
}

export const describeExpected = (expected: ExpectedVersion): string =>
  expected.kind === "exact" ? String(expected.version) : expected.kind;

export type ReadStreamResult = {
  events: RecordedEvent[];
  /** 0 when the stream does not exist. */
  currentVersion: number;
};

export type ReadAllResult = {
  events: RecordedEvent[];
  /** Resume point: pass it as `after` to the next call. */
  position: GlobalPosition | null;
};

/**
 * Leaves out the events of streams whose id starts with `excludeStreamPrefix`
 * (one prefix or several: the configuration view skips request records and
 * queued requests this way), or keeps only
 * those whose id starts with `streamPrefix` (the request log reads nothing
 * else); both may be given. The position still moves past what was left out,
 * so a reader never scans it twice.
 */
export type ReadFilter = {
  excludeStreamPrefix?: string | readonly string[];
  streamPrefix?: string;
};

export type Subscription = { close(): Promise<void> };

export type SubscribeOptions = {
  after: GlobalPosition | null;
  /** Called with every new batch in log order; awaited before the next. */
  handle(events: RecordedEvent[]): Promise<void> | void;
  /** Called when the handler or the read fails; the subscription retries. */
  onError?(error: unknown): void;
  batchSize?: number;
  filter?: ReadFilter;
};

export interface EventStore {
  appendToStream(
    streamId: string,
    events: EventInput[],
    expected: ExpectedVersion,
  ): Promise<AppendResult>;
  /**
   * Appends to several streams in one transaction: all or nothing. Used for
   * batches of request records.
   */
  appendMany(
    appends: { streamId: string; events: EventInput[]; expected: ExpectedVersion }[],
  ): Promise<AppendResult[]>;
  readStream(streamId: string): Promise<ReadStreamResult>;
  readAll(
    after: GlobalPosition | null,
    limit?: number,
    filter?: ReadFilter,
  ): Promise<ReadAllResult>;
  subscribe(options: SubscribeOptions): Subscription;
  readCheckpoint(name: string): Promise<GlobalPosition | null>;
  /**
   * Compare-and-set: stores `next` only if the stored checkpoint equals
   * `expected`. Answers false when another writer moved it first.
   */
  storeCheckpoint(
    name: string,
    expected: GlobalPosition | null,
    next: GlobalPosition,
  ): Promise<boolean>;
  close(): Promise<void>;
}

export const comparePositions = (a: GlobalPosition, b: GlobalPosition): number =>
  a.transactionId === b.transactionId
    ? Number(a.sequence - b.sequence)
    : a.transactionId < b.transactionId
      ? -1
      : 1;
