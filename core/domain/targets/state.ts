import type { Rule } from "../../rules/rule.ts";
import { ignoreUnknown } from "../decider.ts";
import type { TargetEvent, TargetFields } from "../events.ts";
import { evolveRules } from "../rules/ruleList.ts";

export type TargetState =
  | { status: "empty" }
  | (TargetFields & {
      status: "active";
      targetId: string;
      clientId: string;
      /** In the order they were added. */
      rules: readonly Rule[];
      createdAt: string;
      updatedAt: string;
    })
  | { status: "deleted"; targetId: string; clientId: string; deletedAt: string };

export const initialState: TargetState = { status: "empty" };

export const evolve = (state: TargetState, event: TargetEvent): TargetState => {
  switch (event.type) {
    case "TargetCreated": {
      if (state.status !== "empty") return state;
      const { at, ...fields } = event.data;
      return { status: "active", ...fields, rules: [], createdAt: at, updatedAt: at };
    }
    case "TargetUpdated":
      if (state.status !== "active") return state;
      return { ...state, ...event.data.changes, updatedAt: event.data.at };
    case "TargetDeleted":
      if (state.status !== "active") return state;
      return {
        status: "deleted",
        targetId: state.targetId,
        clientId: state.clientId,
        deletedAt: event.data.at,
      };
    case "RuleAdded":
    case "RuleChanged":
    case "RuleRemoved":
      if (state.status !== "active") return state;
      return { ...state, rules: evolveRules(state.rules, event) };
    default:
      return ignoreUnknown(event, state);
  }
};
