import { describe, expect, it } from "vitest";
import { deciderSpec } from "../../testing/decider.ts";
import { at, clientId, fixtureId, otherClientId } from "../../testing/fixtures/common.ts";
import {
  createdTarget,
  deletedTarget,
  targetFields,
  targetId,
  updatedTarget,
} from "../../testing/fixtures/targets.ts";
import type { UpdateTarget } from "./commands.ts";
import { targetDecider } from "./decider.ts";

const given = deciderSpec(targetDecider);

const create = {
  type: "CreateTarget",
  targetId,
  clientId,
  targetName: "Stripe",
  baseURL: "https://api.stripe.com/v1",
  at: at(0),
} as const;
const update = (changes: UpdateTarget["changes"]) =>
  ({ type: "UpdateTarget", targetId, clientId, changes, at: at(5) }) as const;
const remove = (usedByProxyIds: string[] = []) =>
  ({ type: "DeleteTarget", targetId, clientId, usedByProxyIds, at: at(5) }) as const;

describe("target, not created", () => {
  it("creates with defaults: allow, 30 s, no test path or region", () => {
    const state = given([]).when(create).then(createdTarget());

    expect(state).toEqual({
      status: "active",
      ...targetFields,
      targetId,
      clientId,
      rules: [],
      createdAt: at(0),
      updatedAt: at(0),
    });
  });

  it("creates with every field given, normalising the base URL", () => {
    given([])
      .when({
        ...create,
        baseURL: "HTTPS://API.Example.com:443/v2/",
        testPath: "/health?deep=1",
        region: "eu-west-1",
        defaultEffect: "deny",
        timeoutMs: 5_000,
      })
      .then([
        {
          type: "TargetCreated",
          data: {
            targetId,
            clientId,
            targetName: "Stripe",
            baseURL: "https://api.example.com/v2",
            testPath: "/health?deep=1",
            region: "eu-west-1",
            defaultEffect: "deny",
            timeoutMs: 5_000,
            retryPolicy: null,
            at: at(0),
          },
        },
      ]);
  });

  it("refuses invalid fields, naming each", () => {
    const error = given([])
      .when({
        ...create,
        targetName: "",
        baseURL: "ftp://files.example.com",
        defaultEffect: "maybe" as "allow",
        timeoutMs: 0,
      })
      .thenFails("invalid_input", { field: "targetName" });

    expect((error.details?.issues as { field: string }[]).map((issue) => issue.field)).toEqual([
      "targetName",
      "baseURL",
      "defaultEffect",
      "timeoutMs",
    ]);
  });

  for (const command of [update({ targetName: "x" }), remove()]) {
    it(`answers target_not_found to ${command.type}`, () => {
      given([]).when(command).thenFails("target_not_found");
    });
  }
});

describe("target, active", () => {
  it("refuses to be created twice", () => {
    given(createdTarget()).when(create).thenFails("target_already_exists");
  });

  it("updates only the fields that change", () => {
    const state = given(createdTarget())
      .when(update({ targetName: "Stripe", baseURL: "https://api.stripe.com/v2/", timeoutMs: 1 }))
      .then([
        {
          type: "TargetUpdated",
          data: {
            targetId,
            clientId,
            changes: { baseURL: "https://api.stripe.com/v2", timeoutMs: 1 },
            at: at(5),
          },
        },
      ]);

    expect(state).toMatchObject({ baseURL: "https://api.stripe.com/v2", updatedAt: at(5) });
  });

  it("clears the region and test path with null", () => {
    given(updatedTarget())
      .when(update({ region: null, testPath: null }))
      .then([
        {
          type: "TargetUpdated",
          data: { targetId, clientId, changes: { region: null }, at: at(5) },
        },
      ]);
  });

  it("emits nothing when nothing changes", () => {
    given(updatedTarget())
      .when(
        update({ region: "eu-west-1", timeoutMs: 5_000, baseURL: "https://api.stripe.com/v1/" }),
      )
      .then([]);
    given(createdTarget()).when(update({})).then([]);
  });

  it("refuses an invalid change", () => {
    given(createdTarget())
      .when(update({ timeoutMs: 300_001 }))
      .thenFails("invalid_input", { field: "timeoutMs" });
    given(createdTarget())
      .when(update({ baseURL: "https://api.example.com/?key=1" }))
      .thenFails("invalid_input", { field: "baseURL" });
  });

  it("deletes when no proxy uses it", () => {
    given(createdTarget())
      .when(remove())
      .then([{ type: "TargetDeleted", data: { targetId, clientId, at: at(5) } }]);
  });

  it("refuses deletion while proxies use it, naming them", () => {
    const proxyIds = [fixtureId("prx", 1)];
    given(createdTarget()).when(remove(proxyIds)).thenFails("target_in_use", { proxyIds });
  });

  it("answers target_not_found to another client", () => {
    for (const command of [update({ targetName: "x" }), remove()]) {
      given(createdTarget())
        .when({ ...command, clientId: otherClientId })
        .thenFails("target_not_found");
    }
  });
});

describe("target, deleted", () => {
  it("refuses to be created again", () => {
    given(deletedTarget()).when(create).thenFails("target_already_exists");
  });

  for (const command of [update({ targetName: "x" }), remove()]) {
    it(`answers target_not_found to ${command.type}`, () => {
      given(deletedTarget()).when(command).thenFails("target_not_found");
    });
  }
});
