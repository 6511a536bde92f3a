import { ignoreUnknown } from "../decider.ts";
import type { ProxyEvent, ProxyFields } from "../events.ts";
import {
  createdOwner,
  deletedOwner,
  updatedOwner,
  withRuleEvent,
  type OwnerState,
} from "../rules/ruleOwner.ts";

export type ProxyState = OwnerState<"proxyId", ProxyFields>;

export const initialState: ProxyState = { status: "empty" };

export const evolve = (state: ProxyState, event: ProxyEvent): ProxyState => {
  switch (event.type) {
    case "ProxyCreated":
      return state.status === "empty" ? createdOwner(event.data) : state;
    case "ProxyUpdated":
      return updatedOwner(state, event.data.changes, event.data.at);
    case "ProxyDeleted":
      return deletedOwner(state, "proxyId", event.data.at);
    case "RuleAdded":
    case "RuleChanged":
    case "RuleRemoved":
      return withRuleEvent(state, event);
    default:
      return ignoreUnknown(event, state);
  }
};
