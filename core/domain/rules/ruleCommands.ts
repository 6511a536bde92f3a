import { ok, type Result } from "neverthrow";
import * as z from "zod";
import { parseRuleInput } from "../../rules/parseRule.ts";
import type { Rule, RuleFields } from "../../rules/rule.ts";
import { assertNever } from "../decider.ts";
import { fail, type DomainError } from "../errors.ts";
import type { RuleEvent, RuleOwnerKind } from "../events.ts";
import { prefixedIdSchema } from "../fields.ts";
import { parseInput } from "../parseInput.ts";

/**
 * Rule commands, shared by the three aggregates a rule can be attached to
 * (credential, target, proxy): each decider hands them here with its state.
 * `fields` arrive parsed at the edge (`parseRuleInput`); a partial change is
 * merged there too, so `ChangeRule` always carries the whole rule.
 */

export type AddRule = {
  type: "AddRule";
  ownerId: string;
  clientId: string;
  ruleId: string;
  fields: RuleFields;
  at: string;
};

export type ChangeRule = {
  type: "ChangeRule";
  ownerId: string;
  clientId: string;
  ruleId: string;
  fields: RuleFields;
  at: string;
};

export type RemoveRule = {
  type: "RemoveRule";
  ownerId: string;
  clientId: string;
  ruleId: string;
  at: string;
};

export type RuleCommand = AddRule | ChangeRule | RemoveRule;

/**
 * Rules per owner. Every rule of the four scopes runs on every proxied
 * request, so the bound keeps a request's rule work bounded too.
 */
export const MAX_RULES_PER_OWNER = 100;

/** What a rule decision needs of its owner's state: every owner state has this shape. */
export type RuleOwnerState =
  | { status: "empty" }
  | { status: "active"; clientId: string; rules: readonly Rule[] }
  | { status: "deleted"; clientId: string };

const ruleCommandTypes: ReadonlySet<string> = new Set(["AddRule", "ChangeRule", "RemoveRule"]);

export const isRuleCommand = (command: { type: string }): command is RuleCommand =>
  ruleCommandTypes.has(command.type);

const ownerNotFound = {
  credential: "credential_not_found",
  target: "target_not_found",
  proxy: "proxy_not_found",
} as const;

const addInput = z.object({ ruleId: prefixedIdSchema("rul") });

type Decision = Result<RuleEvent[], DomainError>;

export const decideRuleCommand = (
  ownerKind: RuleOwnerKind,
  command: RuleCommand,
  state: RuleOwnerState,
): Decision => {
  // Another client's owner answers exactly like a missing one (spec §2); a
  // deleted owner's rules went with it.
  if (state.status === "empty" || state.clientId !== command.clientId) {
    return fail(ownerNotFound[ownerKind], `${ownerKind} ${command.ownerId} not found`);
  }
  if (state.status === "deleted") {
    return command.type === "AddRule"
      ? fail(ownerNotFound[ownerKind], `${ownerKind} ${command.ownerId} not found`)
      : ruleNotFound(command.ruleId);
  }

  const owner = { ownerKind, ownerId: command.ownerId, clientId: state.clientId };
  const current = state.rules.find((rule) => rule.ruleId === command.ruleId);

  switch (command.type) {
    case "AddRule": {
      if (current !== undefined) {
        return fail("rule_already_exists", `rule ${command.ruleId} already exists`);
      }
      if (state.rules.length >= MAX_RULES_PER_OWNER) {
        return fail(
          "too_many_rules",
          `a ${ownerKind} holds at most ${MAX_RULES_PER_OWNER} rules; remove one first`,
          { limit: MAX_RULES_PER_OWNER },
        );
      }
      return parseInput(addInput, command)
        .andThen(() => checkedFields(command.fields))
        .map((fields) => {
          const rule: Rule = {
            ruleId: command.ruleId,
            ...fields,
            createdAt: command.at,
            updatedAt: command.at,
          };
          return [{ type: "RuleAdded", data: { ...owner, rule, at: command.at } }];
        });
    }
    case "ChangeRule": {
      if (current === undefined) return ruleNotFound(command.ruleId);
      return checkedFields(command.fields).map((fields): RuleEvent[] => {
        if (sameFields(fieldsOf(current), fields)) return [];
        const rule: Rule = {
          ruleId: current.ruleId,
          ...fields,
          createdAt: current.createdAt,
          updatedAt: command.at,
        };
        return [
          { type: "RuleChanged", data: { ...owner, ruleId: rule.ruleId, rule, at: command.at } },
        ];
      });
    }
    case "RemoveRule":
      if (current === undefined) return ruleNotFound(command.ruleId);
      return ok([
        { type: "RuleRemoved", data: { ...owner, ruleId: current.ruleId, at: command.at } },
      ]);
    default:
      return assertNever(command);
  }
};

const ruleNotFound = (ruleId: string) => fail("rule_not_found", `rule ${ruleId} not found`);

/**
 * The edge parsed the fields already; parsing them again here means no event
 * can hold a rule whose patterns do not compile, whoever built the command.
 */
const checkedFields = (fields: RuleFields): Result<RuleFields, DomainError> =>
  parseRuleInput(fields, "replace").map((parsed) => parsed.fields);

/** A stored rule without its id and times. */
export const fieldsOf = (rule: Rule): RuleFields => {
  const { ruleId: _ruleId, createdAt: _createdAt, updatedAt: _updatedAt, ...fields } = rule;
  return fields;
};

/**
 * Equal as data, whatever the key order: a rule read back from the store
 * (jsonb orders keys its own way) equals the same rule parsed from input.
 */
const sameFields = (a: RuleFields, b: RuleFields): boolean => canonicalJson(a) === canonicalJson(b);

const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === "object" && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
