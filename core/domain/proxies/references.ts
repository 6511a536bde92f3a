import { ok, type Result } from "neverthrow";
import { fail, type DomainError } from "../errors.ts";
import type { CredentialType } from "../events.ts";
import type { CredentialFacts, TargetFacts } from "./commands.ts";

/**
 * A proxy joins a proxy credential, a target and a target credential, all
 * of its own client and all still there (spec §2). A foreign id is refused
 * with the same words as a missing one, so ids cannot be probed.
 */

type ReferenceField = "proxyCredentialId" | "targetId" | "targetCredentialId";

const missing = (field: ReferenceField, id: string) =>
  fail("reference_not_found", `${field} ${id} does not name a ${noun(field)} of this client`, {
    field,
  });

const noun = (field: ReferenceField) => (field === "targetId" ? "target" : "credential");

const usable = (facts: { clientId: string; status: string } | null | undefined, clientId: string) =>
  facts !== null && facts !== undefined && facts.status === "active" && facts.clientId === clientId;

export const checkCredential = (
  field: "proxyCredentialId" | "targetCredentialId",
  id: string,
  facts: CredentialFacts | null | undefined,
  clientId: string,
  expected: CredentialType,
): Result<void, DomainError> => {
  if (!usable(facts, clientId)) return missing(field, id);
  if (facts?.credentialType !== expected) {
    return fail(
      "credential_type_mismatch",
      `${field} must name a credential of type ${expected}, not ${String(facts?.credentialType)}`,
      { field, expected },
    );
  }
  return ok(undefined);
};

export const checkTarget = (
  id: string,
  facts: TargetFacts | null | undefined,
  clientId: string,
): Result<void, DomainError> => (usable(facts, clientId) ? ok(undefined) : missing("targetId", id));
