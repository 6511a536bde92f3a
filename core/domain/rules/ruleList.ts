import type { Rule } from "../../rules/rule.ts";
import { ignoreUnknown } from "../decider.ts";
import type { RuleEvent } from "../events.ts";

/** An owner's rules after one rule event, in the order they were added. */
export const evolveRules = (rules: readonly Rule[], event: RuleEvent): readonly Rule[] => {
  switch (event.type) {
    case "RuleAdded": {
      const { rule } = event.data;
      return rules.some((each) => each.ruleId === rule.ruleId) ? rules : [...rules, rule];
    }
    case "RuleChanged":
      return rules.map((each) => (each.ruleId === event.data.ruleId ? event.data.rule : each));
    case "RuleRemoved":
      return rules.filter((each) => each.ruleId !== event.data.ruleId);
    default:
      return ignoreUnknown(event, rules);
  }
};

/**
 * Listing order (spec §2): highest priority first, then the order of
 * creation; the id (a ULID) settles rules created in the same millisecond.
 */
export const byListingOrder = (a: Rule, b: Rule): number =>
  b.priority - a.priority || compare(a.createdAt, b.createdAt) || compare(a.ruleId, b.ruleId);

export const inListingOrder = (rules: readonly Rule[]): Rule[] => [...rules].sort(byListingOrder);

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
