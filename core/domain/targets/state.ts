import { ignoreUnknown } from "../decider.ts";
import type { TargetEvent, TargetFields } from "../events.ts";
import {
  createdOwner,
  deletedOwner,
  updatedOwner,
  withRuleEvent,
  type OwnerState,
} from "../rules/ruleOwner.ts";

export type TargetState = OwnerState<"targetId", TargetFields>;

export const initialState: TargetState = { status: "empty" };

export const evolve = (state: TargetState, event: TargetEvent): TargetState => {
  switch (event.type) {
    case "TargetCreated":
      return state.status === "empty" ? createdOwner(event.data) : state;
    case "TargetUpdated":
      return updatedOwner(state, event.data.changes, event.data.at);
    case "TargetDeleted":
      return deletedOwner(state, "targetId", event.data.at);
    case "RuleAdded":
    case "RuleChanged":
    case "RuleRemoved":
      return withRuleEvent(state, event);
    default:
      return ignoreUnknown(event, state);
  }
};
