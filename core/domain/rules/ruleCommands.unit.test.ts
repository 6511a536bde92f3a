import { describe, expect, it } from "vitest";
import type { Rule, RuleFields } from "../../rules/rule.ts";
import { deciderSpec } from "../../testing/decider.ts";
import { at, clientId, fixtureId, otherClientId } from "../../testing/fixtures/common.ts";
import {
  createdCredential,
  credentialId,
  credentialWithRule,
  deletedCredential,
} from "../../testing/fixtures/credentials.ts";
import {
  createdProxy,
  deletedProxy,
  proxyId,
  proxyWithRule,
} from "../../testing/fixtures/proxies.ts";
import {
  denyAdmin,
  otherRuleId,
  ruleAdded,
  ruleId,
  ruleOwner,
  ruleRemoved,
  storedRule,
} from "../../testing/fixtures/rules.ts";
import {
  createdTarget,
  deletedTarget,
  targetId,
  targetWithRule,
} from "../../testing/fixtures/targets.ts";
import { credentialDecider } from "../credentials/decider.ts";
import { fold, type Decider } from "../decider.ts";
import type { RuleEvent, RuleOwnerKind } from "../events.ts";
import { proxyDecider } from "../proxies/decider.ts";
import { targetDecider } from "../targets/decider.ts";
import { MAX_RULES_PER_OWNER, type RuleCommand } from "./ruleCommands.ts";

type Owner<E, S> = {
  kind: RuleOwnerKind;
  ownerId: string;
  decider: Decider<RuleCommand, E | RuleEvent, S>;
  created: () => E[];
  withRule: () => E[];
  deleted: () => E[];
};

const describeRules = <E, S extends { status: string }>(owner: Owner<E, S>) => {
  const given = deciderSpec(owner.decider);
  const { kind, ownerId } = owner;
  const named = ruleOwner(kind, ownerId);
  const notFound = `${kind}_not_found` as const;

  const add = (fields: RuleFields = denyAdmin, id = ruleId): RuleCommand => ({
    type: "AddRule",
    ownerId,
    clientId,
    ruleId: id,
    fields,
    at: at(5),
  });
  const change = (fields: RuleFields, id = ruleId): RuleCommand => ({
    type: "ChangeRule",
    ownerId,
    clientId,
    ruleId: id,
    fields,
    at: at(6),
  });
  const remove = (id = ruleId): RuleCommand => ({
    type: "RemoveRule",
    ownerId,
    clientId,
    ruleId: id,
    at: at(6),
  });
  const rulesOf = (state: S) => (state as unknown as { rules: readonly Rule[] }).rules;
  /** The owner's events from its deletion on, after any history. */
  const deletion = () => owner.deleted().slice(owner.created().length);

  describe(`${kind} rules, owner not created`, () => {
    for (const command of [add(), change(denyAdmin), remove()]) {
      it(`answers ${notFound} to ${command.type}`, () => {
        given([]).when(command).thenFails(notFound);
      });
    }
  });

  describe(`${kind} rules, owner active`, () => {
    it("adds a rule, created and updated at the command's time", () => {
      const state = given(owner.created())
        .when(add())
        .then([ruleAdded(named, storedRule(denyAdmin, ruleId, at(5)))]);

      expect(rulesOf(state)).toEqual([storedRule(denyAdmin, ruleId, at(5))]);
    });

    it("stores the fields as the parser answers them", () => {
      given(owner.created())
        .when(add({ effect: "allow", priority: 0, methods: ["get", "GET"], pathPattern: "^/v1" }))
        .then([
          ruleAdded(
            named,
            storedRule(
              {
                effect: "allow",
                priority: 0,
                methods: ["GET"],
                pathPattern: "^/v1",
                pathPresence: "present",
              },
              ruleId,
              at(5),
            ),
          ),
        ]);
    });

    it("refuses a pattern that does not compile, naming the field", () => {
      given(owner.created())
        .when(add({ ...denyAdmin, pathPattern: "(unclosed" }))
        .thenFails("invalid_pattern", { field: "pathPattern" });
    });

    it("refuses a rule id that is not a rule id", () => {
      given(owner.created())
        .when(add(denyAdmin, fixtureId("crd", 1)))
        .thenFails("invalid_input", { field: "ruleId" });
    });

    it(`refuses rule ${MAX_RULES_PER_OWNER + 1}`, () => {
      const full = [
        ...owner.created(),
        ...Array.from({ length: MAX_RULES_PER_OWNER }, (_, n) =>
          ruleAdded(named, storedRule(denyAdmin, fixtureId("rul", 100 + n))),
        ),
      ];
      given(full)
        .when(add(denyAdmin, fixtureId("rul", 99)))
        .thenFails("too_many_rules", { limit: MAX_RULES_PER_OWNER });
    });

    for (const command of [change(denyAdmin), remove()]) {
      it(`answers rule_not_found to ${command.type} of an unknown rule`, () => {
        given(owner.created()).when(command).thenFails("rule_not_found");
      });
    }

    it(`answers ${notFound} to another client`, () => {
      for (const command of [add(), change(denyAdmin), remove()]) {
        given(owner.withRule())
          .when({ ...command, clientId: otherClientId })
          .thenFails(notFound);
      }
    });
  });

  describe(`${kind} rules, owner with a rule`, () => {
    it("refuses the same rule id twice", () => {
      given(owner.withRule()).when(add()).thenFails("rule_already_exists");
    });

    it("adds a second rule after the first", () => {
      const state = given(owner.withRule())
        .when(add({ effect: "allow", priority: 0 }, otherRuleId))
        .then([ruleAdded(named, storedRule({ effect: "allow", priority: 0 }, otherRuleId, at(5)))]);

      expect(rulesOf(state).map((rule) => rule.ruleId)).toEqual([ruleId, otherRuleId]);
    });

    it("changes it, answering the whole rule and keeping its creation time", () => {
      const fields: RuleFields = { effect: "deny", priority: 500, methods: ["DELETE"] };
      const rule: Rule = { ruleId, ...fields, createdAt: at(1), updatedAt: at(6) };
      const state = given(owner.withRule())
        .when(change(fields))
        .then([
          {
            type: "RuleChanged",
            data: { ...named, ruleId, rule, at: at(6) },
          },
        ]);

      expect(rulesOf(state)).toEqual([rule]);
    });

    it("refuses a change to a pattern that does not compile", () => {
      given(owner.withRule())
        .when(change({ ...denyAdmin, headers: [{ name: "[", presence: "present" }] }))
        .thenFails("invalid_pattern", { field: "headers[0].name" });
    });

    it("emits nothing when the fields are the same, whatever their key order", () => {
      given(owner.withRule())
        .when(
          change({ pathPresence: "present", pathPattern: "^/admin", priority: 10, effect: "deny" }),
        )
        .then([]);
    });

    it("removes it", () => {
      const state = given(owner.withRule())
        .when(remove())
        .then([ruleRemoved(named, ruleId, at(6))]);

      expect(rulesOf(state)).toEqual([]);
    });

    it("answers rule_not_found once the rule is removed", () => {
      const history = [...owner.withRule(), ruleRemoved(named)];
      given(history).when(remove()).thenFails("rule_not_found");
      given(history).when(change(denyAdmin)).thenFails("rule_not_found");
    });
  });

  describe(`${kind} rules, owner deleted`, () => {
    it(`answers ${notFound} to AddRule`, () => {
      given(owner.deleted()).when(add()).thenFails(notFound);
    });

    it("answers rule_not_found for the rules it had", () => {
      const history = [...owner.withRule(), ...deletion()];
      given(history).when(change(denyAdmin)).thenFails("rule_not_found");
      given(history).when(remove()).thenFails("rule_not_found");
    });

    it(`answers ${notFound} to another client, never rule_not_found`, () => {
      const history = [...owner.withRule(), ...deletion()];
      given(history)
        .when({ ...remove(), clientId: otherClientId })
        .thenFails(notFound);
    });

    it("ignores rule events that arrive after the deletion", () => {
      const after = fold(owner.decider, [...owner.deleted(), ruleAdded(named)]);

      expect(after).toEqual(fold(owner.decider, owner.deleted()));
    });
  });
};

describeRules({
  kind: "credential",
  ownerId: credentialId,
  decider: credentialDecider,
  created: () => createdCredential(),
  withRule: credentialWithRule,
  deleted: deletedCredential,
});

describeRules({
  kind: "target",
  ownerId: targetId,
  decider: targetDecider,
  created: createdTarget,
  withRule: targetWithRule,
  deleted: deletedTarget,
});

describeRules({
  kind: "proxy",
  ownerId: proxyId,
  decider: proxyDecider,
  created: createdProxy,
  withRule: proxyWithRule,
  deleted: deletedProxy,
});
