import type { Result } from "neverthrow";
import type { DomainError } from "./errors.ts";

/**
 * One aggregate's rules: the command handler folds the stream with `evolve`
 * from `initialState`, asks `decide`, and appends what it answers.
 */
export type Decider<Command, Event, State> = {
  initialState: State;
  evolve: (state: State, event: Event) => State;
  decide: (command: Command, state: State) => Result<Event[], DomainError>;
};

/** The state after `events`, from the decider's initial state. */
export const fold = <Command, Event, State>(
  decider: Decider<Command, Event, State>,
  events: readonly Event[],
): State => events.reduce(decider.evolve, decider.initialState);

/**
 * For the `default` branch of a switch that has handled every case: a
 * compile error when a case is added and left unhandled, a thrown bug if a
 * value outside the type arrives anyway.
 */
export const assertNever = (value: never): never => {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
};

/**
 * The same compile-time check for `evolve`, which never rejects: an event it
 * does not know (written by a newer version) leaves the state as it was.
 */
export const ignoreUnknown = <State>(_event: never, state: State): State => state;
