/**
 * The state every rule owner (credential, target, proxy) shares: not yet
 * created, existing with its own fields and its rules, or deleted; and the
 * steps of its fold that are the same for all three.
 */
import type { Rule } from "../../rules/rule.ts";
import type { RuleEvent } from "../events.ts";
import { evolveRules } from "./ruleList.ts";

/** Its id under the owner's own name: `{ targetId: "tgt_…" }`. */
type IdOf<Id extends string> = { [K in Id]: string };

export type ActiveOwner<Id extends string, Fields> = Fields &
  IdOf<Id> & {
    status: "active";
    clientId: string;
    /** In the order they were added. */
    rules: readonly Rule[];
    createdAt: string;
    updatedAt: string;
  };

export type DeletedOwner<Id extends string> = IdOf<Id> & {
  status: "deleted";
  clientId: string;
  deletedAt: string;
};

export type OwnerState<Id extends string, Fields> =
  { status: "empty" } | ActiveOwner<Id, Fields> | DeletedOwner<Id>;

type AnyOwner =
  { status: "empty" } | { status: "active"; rules: readonly Rule[] } | { status: "deleted" };

/** A created owner: its fields, no rules yet, created and updated at `at`. */
export const createdOwner = <D extends { at: string }>({ at, ...fields }: D) => ({
  status: "active" as const,
  ...fields,
  rules: [] as readonly Rule[],
  createdAt: at,
  updatedAt: at,
});

/** The changes of an update, on an owner that exists. */
export const updatedOwner = <S extends AnyOwner>(state: S, changes: object, at: string): S =>
  state.status === "active" ? { ...state, ...changes, updatedAt: at } : state;

/** A deleted owner keeps its id, its client and when it went. */
export const deletedOwner = <Id extends string, S extends OwnerState<Id, unknown>>(
  state: S,
  id: Id,
  at: string,
): S =>
  state.status === "active"
    ? ({
        status: "deleted",
        [id]: (state as IdOf<Id>)[id],
        clientId: state.clientId,
        deletedAt: at,
      } as DeletedOwner<Id> as S)
    : state;

/** A rule event, on an owner that exists. */
export const withRuleEvent = <S extends AnyOwner>(state: S, event: RuleEvent): S =>
  state.status === "active" ? { ...state, rules: evolveRules(state.rules, event) } : state;
