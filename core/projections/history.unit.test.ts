import { describe, expect, it } from "vitest";
import type { FerryEvent } from "../domain/events.ts";
import type { RecordedEvent } from "../eventStore/eventStore.ts";
import { at, clientId, ownerId } from "../testing/fixtures/common.ts";
import { credentialId, rotatedCredential, storedSecret } from "../testing/fixtures/credentials.ts";
import { ruleAdded, ruleOwner, ruleRemoved, storedRule } from "../testing/fixtures/rules.ts";
import { clientIdOfStream, historyOf, resourceAsOf } from "./history.ts";

/** Events as the store answers them: versions from 1, the actor in metadata. */
const recorded = (events: FerryEvent[]): RecordedEvent[] =>
  events.map((event, index) => ({
    type: event.type,
    data: event.data as unknown as Record<string, unknown>,
    metadata: { actor: ownerId, tokenId: "tok_1" },
    streamId: `credential-${credentialId}`,
    streamVersion: index + 1,
    position: { transactionId: BigInt(index + 1), sequence: 0n },
    recordedAt: new Date().toISOString(),
  }));

const owner = ruleOwner("credential", credentialId);

const lifecycle = (): RecordedEvent[] =>
  recorded([
    ...rotatedCredential(),
    ruleAdded(owner, storedRule(undefined, undefined, at(3))),
    ruleRemoved(owner, undefined, at(4)),
    { type: "CredentialDeleted", data: { credentialId, clientId, at: at(10) } },
  ]);

describe("history of a credential stream", () => {
  it("lists every event in stream order with its actor and time", () => {
    const entries = historyOf([...lifecycle()].reverse());

    expect(entries.map((entry) => entry.type)).toEqual([
      "CredentialCreated",
      "CredentialSecretRotated",
      "RuleAdded",
      "RuleRemoved",
      "CredentialDeleted",
    ]);
    expect(entries.map((entry) => entry.version)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0]!.actor).toBe(ownerId);
    expect(entries[1]!.at).toBe(at(2));
  });

  it("shows a rotation as field names, fingerprint and version, never hashes", () => {
    const rotation = historyOf(lifecycle())[1]!;

    expect(rotation.changes).toEqual({
      secret: { fields: ["keyValue", "keyName"], fingerprint: "fp-2", secretVersion: 2 },
      previousValidUntil: at(62),
    });
    const text = JSON.stringify(historyOf(lifecycle()));
    expect(text).not.toContain(storedSecret(1).hashes!.keyValue);
    expect(text).not.toContain(storedSecret(2).hashes!.keyValue);
    expect(text).not.toContain("hashes");
  });

  it("shows a rule's flat fields when added and its id when removed", () => {
    const entries = historyOf(lifecycle());

    expect(entries[2]!.changes).toMatchObject({ ruleId: storedRule().ruleId, effect: "deny" });
    expect(entries[3]!.changes).toEqual({ ruleId: storedRule().ruleId });
    expect(Object.keys(entries[2]!.changes)).toEqual([
      "ruleId",
      "effect",
      "priority",
      "pathPattern",
      "pathPresence",
    ]);
  });

  it("answers no fields for an event type it does not know", () => {
    const [unknown] = recorded([
      { type: "CredentialFrobbed", data: { secret: "s3cr3t" } } as unknown as FerryEvent,
    ]);

    expect(historyOf([unknown!])[0]!.changes).toEqual({});
  });

  it("knows the client from the first event, even after deletion", () => {
    expect(clientIdOfStream(lifecycle())).toBe(clientId);
    expect(clientIdOfStream([])).toBeUndefined();
  });
});

describe("a credential as of a time", () => {
  it("is undefined before it was created and after it was deleted", () => {
    expect(resourceAsOf(lifecycle(), "credential", credentialId, new Date(at(-1)))).toBeUndefined();
    expect(resourceAsOf(lifecycle(), "credential", credentialId, new Date(at(10)))).toBeUndefined();
  });

  it("holds each state in between", () => {
    const created = resourceAsOf(lifecycle(), "credential", credentialId, new Date(at(1)));
    const rotated = resourceAsOf(lifecycle(), "credential", credentialId, new Date(at(2)));
    const withRule = resourceAsOf(lifecycle(), "credential", credentialId, new Date(at(3)));
    const ruleGone = resourceAsOf(lifecycle(), "credential", credentialId, new Date(at(9)));

    expect(created!.secretVersion).toBe(1);
    expect(rotated!.secretVersion).toBe(2);
    expect(rotated!.secret.fingerprint).toBe("fp-2");
    expect(withRule!.rules).toHaveLength(1);
    expect(ruleGone!.rules).toHaveLength(0);
  });
});
