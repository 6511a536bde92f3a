import { expect } from "vitest";
import { fold, type Decider } from "../domain/decider.ts";
import type { DomainError, DomainErrorCode } from "../domain/errors.ts";

/**
 * Given/when/then for deciders: the history, the command, and either the
 * events it must produce or the code it must be refused with.
 *
 * @example
 * const given = deciderSpec(credentialDecider);
 * given(createdCredential()).when(deleteCommand).then([deletedEvent]);
 * given([]).when(deleteCommand).thenFails("credential_not_found");
 */
export const deciderSpec =
  <Command, Event, State>(decider: Decider<Command, Event, State>) =>
  (history: readonly Event[] = []) => ({
    when: (command: Command) => {
      const before = fold(decider, history);
      const result = decider.decide(command, before);

      return {
        /** Asserts the events (exactly, undefined fields included); answers the state after them. */
        then: (expected: readonly Event[]): State => {
          if (result.isErr()) {
            throw new Error(`expected events, got ${result.error.code}: ${result.error.message}`);
          }
          expect(result.value).toStrictEqual(expected);
          return result.value.reduce(decider.evolve, before);
        },
        /** Asserts the refusal's code, and its details where given; answers the error. */
        thenFails: (code: DomainErrorCode, details?: Record<string, unknown>): DomainError => {
          if (result.isOk()) {
            throw new Error(`expected ${code}, got events ${JSON.stringify(result.value)}`);
          }
          expect(result.error.code).toBe(code);
          if (details !== undefined) expect(result.error.details).toMatchObject(details);
          return result.error;
        },
      };
    },
  });
