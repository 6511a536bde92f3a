import { ok, type Result } from "neverthrow";
import { assertNever } from "../decider.ts";
import { fail, type DomainError } from "../errors.ts";
import type { ClientEvent } from "../events.ts";
import { nameSchema, roleSchema } from "../fields.ts";
import { parseInput } from "../parseInput.ts";
import * as z from "zod";
import type { ClientCommand } from "./commands.ts";
import type { ClientState } from "./state.ts";

type ActiveClient = Extract<ClientState, { status: "active" }>;

const clientNameInput = z.object({ clientName: nameSchema });
const memberInput = z.object({ role: roleSchema });

export const decide = (
  command: ClientCommand,
  state: ClientState,
): Result<ClientEvent[], DomainError> => {
  if (command.type === "CreateClient") {
    if (state.status !== "empty") {
      return fail("client_already_exists", `client ${command.clientId} already exists`);
    }
    return parseInput(clientNameInput, command).map(({ clientName }) => {
      const { clientId, createdBy, at } = command;
      return [
        { type: "ClientCreated", data: { clientId, clientName, createdBy, at } },
        { type: "MemberAdded", data: { clientId, userId: createdBy, role: "owner", at } },
      ];
    });
  }

  if (state.status !== "active") {
    return fail("client_not_found", `client ${command.clientId} not found`);
  }

  switch (command.type) {
    case "RenameClient":
      return parseInput(clientNameInput, command).map(({ clientName }) =>
        clientName === state.clientName
          ? []
          : [
              {
                type: "ClientRenamed",
                data: { clientId: state.clientId, clientName, at: command.at },
              },
            ],
      );
    case "DeleteClient":
      return ok([{ type: "ClientDeleted", data: { clientId: state.clientId, at: command.at } }]);
    case "AddMember":
      return addMember(command, state);
    case "RemoveMember":
      return removeMember(command, state);
    default:
      return assertNever(command);
  }
};

const addMember = (
  command: Extract<ClientCommand, { type: "AddMember" }>,
  state: ActiveClient,
): Result<ClientEvent[], DomainError> => {
  if (state.members[command.userId] !== undefined) {
    return fail("member_already_exists", `user ${command.userId} is already a member`, {
      userId: command.userId,
      role: state.members[command.userId],
    });
  }

  return parseInput(memberInput, command).map(({ role }) => [
    {
      type: "MemberAdded",
      data: { clientId: state.clientId, userId: command.userId, role, at: command.at },
    },
  ]);
};

const removeMember = (
  command: Extract<ClientCommand, { type: "RemoveMember" }>,
  state: ActiveClient,
): Result<ClientEvent[], DomainError> => {
  const role = state.members[command.userId];
  if (role === undefined) {
    return fail("member_not_found", `user ${command.userId} is not a member`);
  }

  // A client without an owner could never be administered again.
  const owners = Object.values(state.members).filter((memberRole) => memberRole === "owner");
  if (role === "owner" && owners.length === 1) {
    return fail("last_owner", "the last owner of a client cannot be removed", {
      userId: command.userId,
    });
  }

  return ok([
    {
      type: "MemberRemoved",
      data: { clientId: state.clientId, userId: command.userId, at: command.at },
    },
  ]);
};
