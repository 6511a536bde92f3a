/**
 * Runs one command against one aggregate: read its stream, fold it, decide,
 * append with the version that was read. A concurrent writer makes the
 * append fail with a version conflict; the command is then decided again on
 * the new state (it may no longer hold), and only a conflict that persists
 * answers 409. Nothing is ever silently overwritten (spec §6).
 */
import type { Decider } from "../../core/domain/decider.ts";
import { errorKinds, type DomainError } from "../../core/domain/errors.ts";
import {
  expectExact,
  VersionConflictError,
  type EventStore,
} from "../../core/eventStore/eventStore.ts";
import type { LiveConfig } from "../runtime/liveConfig.ts";
import { clientOf } from "./auth.ts";
import { metadataOf, nowIso, writerOf, type CoreApiDeps } from "./context.ts";
import { ApiError, statusOfKind } from "./errors.ts";

/*
 * Writers that collide on one aggregate (a script creating rules on one
 * proxy in parallel) retry after a random wait that doubles each time (full
 * jitter), so that they come back one after another instead of colliding
 * again: at most ATTEMPTS tries within about a second and a half.
 */
const ATTEMPTS = 10;
const FIRST_WAIT_MS = 5;
const LONGEST_WAIT_MS = 320;

const pause = (attempt: number): Promise<void> => {
  const ceiling = Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** (attempt - 1));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
};

export const domainErrorToApi = (error: DomainError): ApiError =>
  new ApiError(statusOfKind[errorKinds[error.code]], error.code, error.message, error.details);

export const execute = async <C, E extends { type: string; data: object }, S>(
  deps: { store: EventStore; live: LiveConfig },
  streamId: string,
  decider: Decider<C, E, S>,
  command: C,
  metadata: Record<string, unknown>,
): Promise<E[]> => {
  for (let attempt = 1; ; attempt++) {
    const { events: history, currentVersion } = await deps.store.readStream(streamId);
    const state = history.reduce(
      (current, event) => decider.evolve(current, event as unknown as E),
      decider.initialState,
    );

    const decision = decider.decide(command, state);
    if (decision.isErr()) throw domainErrorToApi(decision.error);
    const events = decision.value;
    if (events.length === 0) return events;

    try {
      const result = await deps.store.appendToStream(
        streamId,
        events.map((event) => ({
          type: event.type,
          data: event.data as Record<string, unknown>,
          metadata,
        })),
        expectExact(currentVersion),
      );
      await deps.live.waitFor(result.lastPosition);
      return events;
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      if (attempt >= ATTEMPTS)
        throw new ApiError(409, "version_conflict", "the resource changed concurrently; retry", {
          expected: error.expected,
          actual: error.actual,
        });
      await pause(attempt);
    }
  }
};

/**
 * A change the caller makes to one of a client's resources: the writer
 * behind the token (a read-only token is refused here), the client the path
 * names, the time its command carries, and `run`, which executes a command
 * with the caller as its actor.
 */
export const changeBy = (deps: CoreApiDeps, request: Request, clientId: string) => {
  const caller = writerOf(deps, request);
  const client = clientOf(deps.live.view, caller, clientId);
  const run = <C, E extends { type: string; data: object }, S>(
    streamId: string,
    decider: Decider<C, E, S>,
    command: C,
  ): Promise<E[]> => execute(deps, streamId, decider, command, metadataOf(caller));
  return { caller, client, at: nowIso(deps), run };
};
