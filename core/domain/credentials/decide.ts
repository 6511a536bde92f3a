import { ok, type Result } from "neverthrow";
import * as z from "zod";
import { changedFields, isEmpty } from "../changes.ts";
import { assertNever } from "../decider.ts";
import { fail, invalidFields, type DomainError } from "../errors.ts";
import type { CredentialEvent } from "../events.ts";
import { effectSchema, nameSchema, regionSchema, timestampSchema } from "../fields.ts";
import { parseInput } from "../parseInput.ts";
import { decideRuleCommand, isRuleCommand } from "../rules/ruleCommands.ts";
import type {
  CredentialCommand,
  DeleteCredential,
  RotateCredentialSecret,
  UpdateCredential,
} from "./commands.ts";
import { checkAuthType } from "./secretSchema.ts";
import type { CredentialState } from "./state.ts";

type ActiveCredential = Extract<CredentialState, { status: "active" }>;
type Decision = Result<CredentialEvent[], DomainError>;

const createInput = z.object({
  credentialName: nameSchema,
  region: regionSchema.optional().transform((region) => region ?? null),
  defaultEffect: effectSchema.optional().transform((effect) => effect ?? "allow"),
});
const updateInput = z.object({
  credentialName: nameSchema.optional(),
  region: regionSchema.optional(),
  defaultEffect: effectSchema.optional(),
});
const rotateInput = z.object({ previousValidUntil: timestampSchema.nullable().optional() });

export const decide = (command: CredentialCommand, state: CredentialState): Decision => {
  if (isRuleCommand(command)) return decideRuleCommand("credential", command, state);

  if (command.type === "CreateCredential") {
    if (state.status !== "empty") {
      return fail("credential_already_exists", `credential ${command.credentialId} already exists`);
    }
    return checkAuthType(command.credentialType, command.authType)
      .andThen(() => parseInput(createInput, command))
      .map(({ credentialName, region, defaultEffect }) => {
        const { credentialId, clientId, credentialType, authType, secret, at } = command;
        return [
          {
            type: "CredentialCreated",
            data: {
              credentialId,
              clientId,
              credentialName,
              credentialType,
              authType,
              region,
              defaultEffect,
              secret,
              at,
            },
          },
        ];
      });
  }

  // Another client's credential answers exactly like a missing one (spec §2).
  if (state.status !== "active" || state.clientId !== command.clientId) {
    return fail("credential_not_found", `credential ${command.credentialId} not found`);
  }

  switch (command.type) {
    case "UpdateCredential":
      return update(command, state);
    case "RotateCredentialSecret":
      return rotate(command, state);
    case "DeleteCredential":
      return remove(command, state);
    default:
      return assertNever(command);
  }
};

const update = (command: UpdateCredential, state: ActiveCredential): Decision =>
  parseInput(updateInput, command.changes).map((given) => {
    const changes = changedFields(state, given);
    if (isEmpty(changes)) return [];

    const { credentialId, clientId } = state;
    return [
      { type: "CredentialUpdated", data: { credentialId, clientId, changes, at: command.at } },
    ];
  });

const rotate = (command: RotateCredentialSecret, state: ActiveCredential): Decision => {
  if (command.authType !== state.authType) {
    return fail(
      "auth_type_immutable",
      `credential ${state.credentialId} authenticates with ${state.authType}; create a new credential to use ${command.authType}`,
      { field: "authType" },
    );
  }
  // A target secret is presented upstream: there is only ever one in use.
  const grace = command.previousValidUntil ?? null;
  if (grace !== null && state.credentialType !== "proxy") {
    return fail(
      "grace_period_not_applicable",
      "only a proxy credential can keep its previous secret valid",
      { field: "previousValidUntil" },
    );
  }

  return parseInput(rotateInput, command).andThen(({ previousValidUntil = null }) => {
    if (previousValidUntil !== null && Date.parse(previousValidUntil) <= Date.parse(command.at)) {
      return invalidFields("invalid_input", [
        { field: "previousValidUntil", message: "must be in the future" },
      ]);
    }
    // The same secret again (same keyed fingerprint) changes nothing.
    if (command.secret.fingerprint === state.secret.fingerprint) return ok([]);

    const { credentialId, clientId } = state;
    return ok<CredentialEvent[]>([
      {
        type: "CredentialSecretRotated",
        data: {
          credentialId,
          clientId,
          secret: command.secret,
          secretVersion: state.secretVersion + 1,
          previousValidUntil,
          at: command.at,
        },
      },
    ]);
  });
};

const remove = (command: DeleteCredential, state: ActiveCredential): Decision => {
  if (command.usedByProxyIds.length > 0) {
    return fail(
      "credential_in_use",
      `credential ${state.credentialId} is used by proxies: ${command.usedByProxyIds.join(", ")}`,
      { proxyIds: [...command.usedByProxyIds] },
    );
  }
  const { credentialId, clientId } = state;
  return ok([{ type: "CredentialDeleted", data: { credentialId, clientId, at: command.at } }]);
};
