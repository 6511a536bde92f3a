import { describe, expect, it } from "vitest";
import { deciderSpec } from "../../testing/decider.ts";
import { at, clientId, fixtureId, otherClientId } from "../../testing/fixtures/common.ts";
import {
  createdProxy,
  deactivatedProxy,
  deletedProxy,
  proxyCredentialFacts,
  proxyCredentialId,
  proxyFields,
  proxyId,
  targetCredentialFacts,
  targetCredentialId,
  targetFacts,
  targetId,
} from "../../testing/fixtures/proxies.ts";
import type { CreateProxy, UpdateProxy } from "./commands.ts";
import { proxyDecider } from "./decider.ts";

const given = deciderSpec(proxyDecider);

const create: CreateProxy = {
  type: "CreateProxy",
  proxyId,
  clientId,
  proxyName: "Acme to Stripe",
  proxyCredentialId,
  targetId,
  targetCredentialId,
  proxyCredential: proxyCredentialFacts,
  target: targetFacts,
  targetCredential: targetCredentialFacts,
  at: at(0),
};
const update = (
  changes: UpdateProxy["changes"],
  facts: Pick<UpdateProxy, "proxyCredential" | "target" | "targetCredential"> = {},
): UpdateProxy => ({ type: "UpdateProxy", proxyId, clientId, changes, ...facts, at: at(5) });
const remove = { type: "DeleteProxy", proxyId, clientId, at: at(5) } as const;

const otherCredentialId = fixtureId("crd", 99);
const otherTargetId = fixtureId("tgt", 99);

describe("proxy, not created", () => {
  it("creates an active proxy with defaults", () => {
    const state = given([]).when(create).then(createdProxy());

    expect(state).toMatchObject({ status: "active", active: true, defaultEffect: "allow" });
  });

  it("creates with every field given", () => {
    given([])
      .when({
        ...create,
        active: false,
        region: "us-east-1",
        defaultEffect: "deny",
        maxRequestsPerMinute: 60,
        maxRequestsPerDay: 10_000,
      })
      .then([
        {
          type: "ProxyCreated",
          data: {
            ...proxyFields,
            active: false,
            region: "us-east-1",
            defaultEffect: "deny",
            maxRequestsPerMinute: 60,
            maxRequestsPerDay: 10_000,
            proxyId,
            clientId,
            at: at(0),
          },
        },
      ]);
  });

  it("refuses invalid fields", () => {
    given([])
      .when({ ...create, maxRequestsPerMinute: 0 })
      .thenFails("invalid_input", { field: "maxRequestsPerMinute" });
    given([])
      .when({ ...create, maxRequestsPerDay: 1.5 })
      .thenFails("invalid_input", { field: "maxRequestsPerDay" });
    given([])
      .when({ ...create, proxyName: "" })
      .thenFails("invalid_input", { field: "proxyName" });
  });

  describe("refuses references that cannot be used, naming the field", () => {
    const cases: [string, Partial<CreateProxy>, string][] = [
      ["a missing proxy credential", { proxyCredential: null }, "proxyCredentialId"],
      ["a missing target", { target: null }, "targetId"],
      ["a missing target credential", { targetCredential: null }, "targetCredentialId"],
      [
        "a deleted proxy credential",
        { proxyCredential: { ...proxyCredentialFacts, status: "deleted" } },
        "proxyCredentialId",
      ],
      ["a deleted target", { target: { ...targetFacts, status: "deleted" } }, "targetId"],
      [
        "a deleted target credential",
        { targetCredential: { ...targetCredentialFacts, status: "deleted" } },
        "targetCredentialId",
      ],
      [
        "another client's proxy credential",
        { proxyCredential: { ...proxyCredentialFacts, clientId: otherClientId } },
        "proxyCredentialId",
      ],
      [
        "another client's target",
        { target: { ...targetFacts, clientId: otherClientId } },
        "targetId",
      ],
      [
        "another client's target credential",
        { targetCredential: { ...targetCredentialFacts, clientId: otherClientId } },
        "targetCredentialId",
      ],
    ];

    for (const [name, facts, field] of cases) {
      it(name, () => {
        given([])
          .when({ ...create, ...facts })
          .thenFails("reference_not_found", { field });
      });
    }

    it("a proxy credential of type target", () => {
      given([])
        .when({ ...create, proxyCredential: targetCredentialFacts })
        .thenFails("credential_type_mismatch", { field: "proxyCredentialId", expected: "proxy" });
    });

    it("a target credential of type proxy", () => {
      given([])
        .when({ ...create, targetCredential: proxyCredentialFacts })
        .thenFails("credential_type_mismatch", {
          field: "targetCredentialId",
          expected: "target",
        });
    });

    it("says the same of a foreign id as of a missing one", () => {
      const missing = given([])
        .when({ ...create, target: null })
        .thenFails("reference_not_found");
      const foreign = given([])
        .when({ ...create, target: { ...targetFacts, clientId: otherClientId } })
        .thenFails("reference_not_found");

      expect(foreign).toStrictEqual(missing);
    });
  });

  for (const command of [update({ proxyName: "x" }), remove]) {
    it(`answers proxy_not_found to ${command.type}`, () => {
      given([]).when(command).thenFails("proxy_not_found");
    });
  }
});

describe("proxy, active", () => {
  it("refuses to be created twice", () => {
    given(createdProxy()).when(create).thenFails("proxy_already_exists");
  });

  it("deactivates", () => {
    const state = given(createdProxy())
      .when(update({ active: false }))
      .then([
        {
          type: "ProxyUpdated",
          data: { proxyId, clientId, changes: { active: false }, at: at(5) },
        },
      ]);

    expect(state).toMatchObject({ active: false, updatedAt: at(5) });
  });

  it("updates only the fields that change", () => {
    given(createdProxy())
      .when(update({ proxyName: "Acme to Stripe", maxRequestsPerMinute: 10, region: null }))
      .then([
        {
          type: "ProxyUpdated",
          data: { proxyId, clientId, changes: { maxRequestsPerMinute: 10 }, at: at(5) },
        },
      ]);
  });

  it("emits nothing when nothing changes", () => {
    given(createdProxy())
      .when(update({ active: true, proxyCredentialId, targetId, targetCredentialId }))
      .then([]);
  });

  it("moves to another target and target credential that it may use", () => {
    given(createdProxy())
      .when(
        update(
          { targetId: otherTargetId, targetCredentialId: otherCredentialId },
          { target: targetFacts, targetCredential: targetCredentialFacts },
        ),
      )
      .then([
        {
          type: "ProxyUpdated",
          data: {
            proxyId,
            clientId,
            changes: { targetId: otherTargetId, targetCredentialId: otherCredentialId },
            at: at(5),
          },
        },
      ]);
  });

  it("refuses a new reference without its facts, or with unusable ones", () => {
    given(createdProxy())
      .when(update({ proxyCredentialId: otherCredentialId }))
      .thenFails("reference_not_found", { field: "proxyCredentialId" });
    given(createdProxy())
      .when(update({ targetId: otherTargetId }, { target: { ...targetFacts, status: "deleted" } }))
      .thenFails("reference_not_found", { field: "targetId" });
    given(createdProxy())
      .when(
        update(
          { targetCredentialId: otherCredentialId },
          { targetCredential: { ...targetCredentialFacts, clientId: otherClientId } },
        ),
      )
      .thenFails("reference_not_found", { field: "targetCredentialId" });
  });

  it("refuses a new credential of the wrong type", () => {
    given(createdProxy())
      .when(
        update(
          { proxyCredentialId: otherCredentialId },
          { proxyCredential: targetCredentialFacts },
        ),
      )
      .thenFails("credential_type_mismatch", { field: "proxyCredentialId" });
  });

  it("refuses an invalid change", () => {
    given(createdProxy())
      .when(update({ defaultEffect: "block" as "deny" }))
      .thenFails("invalid_input", { field: "defaultEffect" });
    given(createdProxy())
      .when(update({ active: "yes" as unknown as boolean }))
      .thenFails("invalid_input", { field: "active" });
  });

  it("deletes", () => {
    const state = given(createdProxy())
      .when(remove)
      .then([{ type: "ProxyDeleted", data: { proxyId, clientId, at: at(5) } }]);

    expect(state).toEqual({ status: "deleted", proxyId, clientId, deletedAt: at(5) });
  });

  it("answers proxy_not_found to another client", () => {
    for (const command of [update({ proxyName: "x" }), remove]) {
      given(createdProxy())
        .when({ ...command, clientId: otherClientId })
        .thenFails("proxy_not_found");
    }
  });
});

describe("proxy, deactivated", () => {
  it("reactivates", () => {
    given(deactivatedProxy())
      .when(update({ active: true }))
      .then([
        { type: "ProxyUpdated", data: { proxyId, clientId, changes: { active: true }, at: at(5) } },
      ]);
  });
});

describe("proxy, deleted", () => {
  it("refuses to be created again", () => {
    given(deletedProxy()).when(create).thenFails("proxy_already_exists");
  });

  for (const command of [update({ active: true }), remove]) {
    it(`answers proxy_not_found to ${command.type}`, () => {
      given(deletedProxy()).when(command).thenFails("proxy_not_found");
    });
  }
});
