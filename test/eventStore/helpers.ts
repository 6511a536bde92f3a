/** Small helpers the event store suites share. */
import { expect } from "vitest";
import {
  VersionConflictError,
  type EventInput,
  type EventStore,
  type ExpectedVersion,
  type RecordedEvent,
} from "../../core/eventStore/eventStore.ts";

export const event = (type: string, data: Record<string, unknown> = {}): EventInput => ({
  type,
  data,
});

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `check` holds; fails the test after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(10);
  }
}

/**
 * The whole log once at least `count` events are readable; fails after 10 s. On server
 * Postgres any transaction in flight in the cluster, even another test
 * file's, holds the xid8 fence back for a moment: wait it out.
 */
export async function readAllOnce(store: EventStore, count: number): Promise<RecordedEvent[]> {
  const deadline = Date.now() + 10_000;

  for (;;) {
    const { events } = await store.readAll(null, 100_000);
    if (events.length >= count) return events;
    if (Date.now() > deadline) throw new Error(`expected ${count} events, read ${events.length}`);
    await sleep(20);
  }
}

/** The version conflict `append` is rejected with. */
export async function conflictOf(append: Promise<unknown>): Promise<VersionConflictError> {
  const error = await append.then(
    () => null,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(VersionConflictError);
  return error as VersionConflictError;
}

export function expectConflict(
  error: VersionConflictError,
  streamId: string,
  expected: ExpectedVersion,
  actual: number,
): void {
  expect(error.code).toBe("version_conflict");
  expect({ streamId: error.streamId, expected: error.expected, actual: error.actual }).toEqual({
    streamId,
    expected,
    actual,
  });
}

/** A deferred promise: resolve it from outside. */
export function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}
