import type { Rule } from "../../rules/rule.ts";
import { ignoreUnknown } from "../decider.ts";
import type { ProxyEvent, ProxyFields } from "../events.ts";
import { evolveRules } from "../rules/ruleList.ts";

export type ProxyState =
  | { status: "empty" }
  | (ProxyFields & {
      status: "active";
      proxyId: string;
      clientId: string;
      /** In the order they were added. */
      rules: readonly Rule[];
      createdAt: string;
      updatedAt: string;
    })
  | { status: "deleted"; proxyId: string; clientId: string; deletedAt: string };

export const initialState: ProxyState = { status: "empty" };

export const evolve = (state: ProxyState, event: ProxyEvent): ProxyState => {
  switch (event.type) {
    case "ProxyCreated": {
      if (state.status !== "empty") return state;
      const { at, ...fields } = event.data;
      return { status: "active", ...fields, rules: [], createdAt: at, updatedAt: at };
    }
    case "ProxyUpdated":
      if (state.status !== "active") return state;
      return { ...state, ...event.data.changes, updatedAt: event.data.at };
    case "ProxyDeleted":
      if (state.status !== "active") return state;
      return {
        status: "deleted",
        proxyId: state.proxyId,
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
