import { describe, expect, it } from "vitest";
import type { FerryEvent } from "../domain/events.ts";
import { at, fixtureId } from "../testing/fixtures/common.ts";
import { createdCredential, credentialId } from "../testing/fixtures/credentials.ts";
import { createdProxy, proxyId } from "../testing/fixtures/proxies.ts";
import {
  denyAdmin,
  ruleAdded,
  ruleChanged,
  ruleOwner,
  ruleRemoved,
  storedRule,
} from "../testing/fixtures/rules.ts";
import { createdTarget, targetId } from "../testing/fixtures/targets.ts";
import { applyConfigEvent, emptyConfigView, type ConfigView } from "./configView.ts";

const folded = (events: FerryEvent[]): ConfigView => {
  const view = emptyConfigView();
  for (const event of events) applyConfigEvent(view, event);
  return view;
};

const proxy = ruleOwner("proxy", proxyId);
const rule = (n: number, priority: number, minute: number) =>
  storedRule({ ...denyAdmin, priority }, fixtureId("rul", n), at(minute));

describe("configuration view, rules", () => {
  it("starts every owner with no rules", () => {
    const view = folded([...createdCredential(), ...createdTarget(), ...createdProxy()]);

    expect(view.credentials.get(credentialId)?.rules).toEqual([]);
    expect(view.targets.get(targetId)?.rules).toEqual([]);
    expect(view.proxies.get(proxyId)?.rules).toEqual([]);
  });

  it("keeps rules by priority, highest first, then oldest first", () => {
    const view = folded([
      ...createdProxy(),
      ruleAdded(proxy, rule(1, 0, 1)),
      ruleAdded(proxy, rule(2, 500, 2)),
      ruleAdded(proxy, rule(3, 0, 3)),
      ruleAdded(proxy, rule(4, 500, 4)),
    ]);

    expect(view.proxies.get(proxyId)?.rules.map((each) => each.ruleId)).toEqual([
      fixtureId("rul", 2),
      fixtureId("rul", 4),
      fixtureId("rul", 1),
      fixtureId("rul", 3),
    ]);
  });

  it("moves a changed rule to its new place, keeping creation order among equals", () => {
    const view = folded([
      ...createdProxy(),
      ruleAdded(proxy, rule(1, 0, 1)),
      ruleAdded(proxy, rule(2, 500, 2)),
      ruleChanged(proxy, { ...rule(1, 500, 1), updatedAt: at(3) }),
    ]);

    expect(view.proxies.get(proxyId)?.rules).toEqual([
      { ...rule(1, 500, 1), updatedAt: at(3) },
      rule(2, 500, 2),
    ]);
  });

  it("removes a rule", () => {
    const view = folded([
      ...createdProxy(),
      ruleAdded(proxy, rule(1, 0, 1)),
      ruleRemoved(proxy, fixtureId("rul", 1)),
    ]);

    expect(view.proxies.get(proxyId)?.rules).toEqual([]);
  });

  it("reports the owner as changed, so that its proxies are rebuilt", () => {
    const view = folded([...createdCredential(), ...createdTarget()]);

    expect(applyConfigEvent(view, ruleAdded(ruleOwner("credential", credentialId)))).toEqual({
      kind: "credential",
      id: credentialId,
    });
    expect(applyConfigEvent(view, ruleAdded(ruleOwner("target", targetId)))).toEqual({
      kind: "target",
      id: targetId,
    });
    expect(view.targets.get(targetId)?.rules).toHaveLength(1);
  });

  it("leaves the owner's own updatedAt alone", () => {
    const view = folded([...createdTarget(), ruleAdded(ruleOwner("target", targetId))]);

    expect(view.targets.get(targetId)?.updatedAt).toBe(at(0));
  });

  it("ignores a rule of an owner it does not hold", () => {
    const view = folded([ruleAdded(proxy)]);

    expect(view.proxies.size).toBe(0);
  });
});

describe("configuration view, credential default effect", () => {
  it("reads a credential created before default effects existed as allowing", () => {
    const [created] = createdCredential();
    const data = { ...(created!.data as Record<string, unknown>) };
    delete data.defaultEffect;
    const view = folded([{ ...created, data } as FerryEvent]);

    expect(view.credentials.get(credentialId)?.defaultEffect).toBe("allow");
  });

  it("follows a change of the default effect", () => {
    const view = folded([
      ...createdCredential(),
      {
        type: "CredentialUpdated",
        data: {
          credentialId,
          clientId: createdCredential()[0]!.data.clientId,
          changes: { defaultEffect: "deny" },
          at: at(1),
        },
      },
    ]);

    expect(view.credentials.get(credentialId)?.defaultEffect).toBe("deny");
  });
});
