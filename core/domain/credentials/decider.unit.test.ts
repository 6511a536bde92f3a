import { describe, expect, it } from "vitest";
import { deciderSpec } from "../../testing/decider.ts";
import { at, clientId, fixtureId, otherClientId } from "../../testing/fixtures/common.ts";
import {
  createdCredential,
  credentialId,
  deletedCredential,
  renamedCredential,
  rotatedCredential,
  storedSecret,
} from "../../testing/fixtures/credentials.ts";
import type { UpdateCredential } from "./commands.ts";
import type { AuthType, CredentialEvent } from "../events.ts";
import { credentialDecider } from "./decider.ts";

const given = deciderSpec(credentialDecider);

const create = {
  type: "CreateCredential",
  credentialId,
  clientId,
  credentialName: "Caller key",
  credentialType: "proxy",
  authType: "apiKey",
  secret: storedSecret(1),
  at: at(0),
} as const;
const update = (changes: UpdateCredential["changes"]) =>
  ({ type: "UpdateCredential", credentialId, clientId, changes, at: at(5) }) as const;
const rotate = (previousValidUntil?: string | null, authType: AuthType = "apiKey") =>
  ({
    type: "RotateCredentialSecret",
    credentialId,
    clientId,
    authType,
    secret: storedSecret(3),
    previousValidUntil,
    at: at(5),
  }) as const;
const remove = (usedByProxyIds: string[] = []) =>
  ({ type: "DeleteCredential", credentialId, clientId, usedByProxyIds, at: at(5) }) as const;

describe("credential, not created", () => {
  it("creates a proxy credential at secret version 1", () => {
    const state = given([]).when(create).then(createdCredential("proxy"));

    expect(state).toMatchObject({ status: "active", secretVersion: 1, previous: null });
  });

  it("allows by default when no rule matches, or denies when asked", () => {
    const state = given([]).when(create).then(createdCredential("proxy"));
    expect(state).toMatchObject({ defaultEffect: "allow", rules: [] });

    given([])
      .when({ ...create, defaultEffect: "deny" })
      .then(createdCredential("proxy", { defaultEffect: "deny" }));
  });

  it("refuses a default effect other than allow or deny", () => {
    given([])
      .when({ ...create, defaultEffect: "block" as "deny" })
      .thenFails("invalid_input", { field: "defaultEffect" });
  });

  it("reads a credential created before default effects existed as allowing", () => {
    const [created] = createdCredential() as [
      Extract<CredentialEvent, { type: "CredentialCreated" }>,
    ];
    const { defaultEffect: _dropped, ...older } = created.data;
    const state = given([{ ...created, data: older }])
      .when(update({ defaultEffect: "allow" }))
      .then([]);

    expect(state).toMatchObject({ status: "active", defaultEffect: "allow" });
  });

  it("creates a target credential with a region", () => {
    given([])
      .when({ ...create, credentialType: "target", region: " eu-west-1 " })
      .then(createdCredential("target", { region: "eu-west-1" }));
  });

  it("refuses an authType the credential type does not allow", () => {
    given([])
      .when({ ...create, authType: "oauth2" })
      .thenFails("auth_type_not_allowed", { field: "authType" });
  });

  it("refuses jwtVerify as not supported yet", () => {
    given([])
      .when({ ...create, authType: "jwtVerify" })
      .thenFails("auth_type_not_supported", { field: "authType" });
  });

  it("refuses an empty name", () => {
    given([])
      .when({ ...create, credentialName: "" })
      .thenFails("invalid_input", { field: "credentialName" });
  });

  for (const command of [update({ credentialName: "x" }), rotate(), remove()]) {
    it(`answers credential_not_found to ${command.type}`, () => {
      given([]).when(command).thenFails("credential_not_found");
    });
  }
});

describe("credential, active", () => {
  it("refuses to be created twice", () => {
    given(createdCredential()).when(create).thenFails("credential_already_exists");
  });

  it("renames", () => {
    given(createdCredential())
      .when(update({ credentialName: "Renamed key" }))
      .then([
        {
          type: "CredentialUpdated",
          data: { credentialId, clientId, changes: { credentialName: "Renamed key" }, at: at(5) },
        },
      ]);
  });

  it("sets and then clears the region", () => {
    const state = given(createdCredential())
      .when(update({ region: "us-east-1" }))
      .then([
        {
          type: "CredentialUpdated",
          data: { credentialId, clientId, changes: { region: "us-east-1" }, at: at(5) },
        },
      ]);
    expect(state).toMatchObject({ region: "us-east-1", updatedAt: at(5) });

    given(createdCredential("proxy", { region: "us-east-1" }))
      .when(update({ region: null }))
      .then([
        {
          type: "CredentialUpdated",
          data: { credentialId, clientId, changes: { region: null }, at: at(5) },
        },
      ]);
  });

  it("changes the default effect", () => {
    const state = given(createdCredential())
      .when(update({ defaultEffect: "deny" }))
      .then([
        {
          type: "CredentialUpdated",
          data: { credentialId, clientId, changes: { defaultEffect: "deny" }, at: at(5) },
        },
      ]);

    expect(state).toMatchObject({ defaultEffect: "deny" });
  });

  it("emits nothing when nothing changes", () => {
    given(renamedCredential())
      .when(update({ credentialName: "Renamed key", region: null }))
      .then([]);
    given(createdCredential()).when(update({})).then([]);
  });

  it("names only the fields that change", () => {
    given(renamedCredential())
      .when(update({ credentialName: "Renamed key", region: "eu" }))
      .then([
        {
          type: "CredentialUpdated",
          data: { credentialId, clientId, changes: { region: "eu" }, at: at(5) },
        },
      ]);
  });

  it("refuses an invalid name", () => {
    given(createdCredential())
      .when(update({ credentialName: "x".repeat(201) }))
      .thenFails("invalid_input", { field: "credentialName" });
  });

  it("rotates the secret, at once by default", () => {
    const state = given(createdCredential())
      .when(rotate())
      .then([
        {
          type: "CredentialSecretRotated",
          data: {
            credentialId,
            clientId,
            secret: storedSecret(3),
            secretVersion: 2,
            previousValidUntil: null,
            at: at(5),
          },
        },
      ]);

    expect(state).toMatchObject({ secret: storedSecret(3), secretVersion: 2, previous: null });
  });

  it("rotates a proxy key keeping the old one valid for a grace period", () => {
    const state = given(createdCredential())
      .when(rotate(at(65)))
      .then([
        {
          type: "CredentialSecretRotated",
          data: {
            credentialId,
            clientId,
            secret: storedSecret(3),
            secretVersion: 2,
            previousValidUntil: at(65),
            at: at(5),
          },
        },
      ]);

    expect(state).toMatchObject({ previous: { secret: storedSecret(1), validUntil: at(65) } });
  });

  it("refuses a grace period that has already ended", () => {
    given(createdCredential())
      .when(rotate(at(5)))
      .thenFails("invalid_input", { field: "previousValidUntil" });
  });

  it("refuses a grace period that is not a timestamp", () => {
    given(createdCredential())
      .when(rotate("soon"))
      .thenFails("invalid_input", { field: "previousValidUntil" });
  });

  it("refuses a grace period on a target credential", () => {
    given(createdCredential("target"))
      .when(rotate(at(65)))
      .thenFails("grace_period_not_applicable", { field: "previousValidUntil" });
  });

  it("refuses a rotation that would change the authType", () => {
    given(createdCredential())
      .when(rotate(null, "bearer"))
      .thenFails("auth_type_immutable", { field: "authType" });
  });

  it("emits nothing when the secret is the same", () => {
    given(createdCredential())
      .when({ ...rotate(), secret: storedSecret(1) })
      .then([]);
  });

  it("deletes when no proxy uses it", () => {
    const state = given(createdCredential())
      .when(remove())
      .then([{ type: "CredentialDeleted", data: { credentialId, clientId, at: at(5) } }]);

    expect(state).toEqual({ status: "deleted", credentialId, clientId, deletedAt: at(5) });
  });

  it("refuses deletion while proxies use it, naming them", () => {
    const proxyIds = [fixtureId("prx", 1), fixtureId("prx", 2)];
    const error = given(createdCredential())
      .when(remove(proxyIds))
      .thenFails("credential_in_use", { proxyIds });

    expect(error.message).toContain(proxyIds[1]);
  });

  it("answers credential_not_found to another client", () => {
    for (const command of [update({ credentialName: "x" }), rotate(), remove()]) {
      given(createdCredential())
        .when({ ...command, clientId: otherClientId })
        .thenFails("credential_not_found");
    }
  });
});

describe("credential, rotated", () => {
  it("counts secret versions on", () => {
    given(rotatedCredential())
      .when(rotate())
      .then([
        {
          type: "CredentialSecretRotated",
          data: {
            credentialId,
            clientId,
            secret: storedSecret(3),
            secretVersion: 3,
            previousValidUntil: null,
            at: at(5),
          },
        },
      ]);
  });

  it("ends the earlier grace period on a rotation without one", () => {
    const state = given(rotatedCredential())
      .when(rotate(null))
      .then([
        {
          type: "CredentialSecretRotated",
          data: {
            credentialId,
            clientId,
            secret: storedSecret(3),
            secretVersion: 3,
            previousValidUntil: null,
            at: at(5),
          },
        },
      ]);

    expect(state).toMatchObject({ previous: null, secret: storedSecret(3) });
  });
});

describe("credential, deleted", () => {
  it("refuses to be created again", () => {
    given(deletedCredential()).when(create).thenFails("credential_already_exists");
  });

  for (const command of [update({ credentialName: "x" }), rotate(), remove()]) {
    it(`answers credential_not_found to ${command.type}`, () => {
      given(deletedCredential()).when(command).thenFails("credential_not_found");
    });
  }
});
