import { describe, expect, it } from "vitest";
import { deciderSpec } from "../../testing/decider.ts";
import {
  clientWithMember,
  createdClient,
  deletedClient,
  renamedClient,
} from "../../testing/fixtures/clients.ts";
import { at, clientId, ownerId, userId } from "../../testing/fixtures/common.ts";
import type { Role } from "../events.ts";
import { clientDecider } from "./decider.ts";

const given = deciderSpec(clientDecider);

const create = {
  type: "CreateClient",
  clientId,
  clientName: "Acme",
  createdBy: ownerId,
  at: at(0),
} as const;
const rename = (clientName: string) =>
  ({ type: "RenameClient", clientId, clientName, at: at(5) }) as const;
const addMember = (role: Role = "member", member = userId) =>
  ({ type: "AddMember", clientId, userId: member, role, at: at(5) }) as const;
const removeMember = (member = userId) =>
  ({ type: "RemoveMember", clientId, userId: member, at: at(5) }) as const;
const remove = { type: "DeleteClient", clientId, at: at(5) } as const;

describe("client, not created", () => {
  it("creates the client and makes its creator owner", () => {
    const state = given([]).when(create).then(createdClient());

    expect(state).toEqual({
      status: "active",
      clientId,
      clientName: "Acme",
      createdBy: ownerId,
      createdAt: at(0),
      updatedAt: at(0),
      members: { [ownerId]: "owner" },
    });
  });

  it("stores the name trimmed", () => {
    given([])
      .when({ ...create, clientName: "  Acme  " })
      .then(createdClient());
  });

  it("refuses an empty name, naming the field", () => {
    given([])
      .when({ ...create, clientName: "   " })
      .thenFails("invalid_input", { field: "clientName" });
  });

  it("refuses a name longer than 200 characters", () => {
    given([])
      .when({ ...create, clientName: "x".repeat(201) })
      .thenFails("invalid_input", { field: "clientName" });
  });

  for (const command of [rename("B"), remove, addMember(), removeMember()]) {
    it(`answers client_not_found to ${command.type}`, () => {
      given([]).when(command).thenFails("client_not_found");
    });
  }
});

describe("client, active", () => {
  it("refuses to be created twice", () => {
    given(createdClient()).when(create).thenFails("client_already_exists");
  });

  it("renames", () => {
    const state = given(createdClient())
      .when(rename("Acme Inc"))
      .then([{ type: "ClientRenamed", data: { clientId, clientName: "Acme Inc", at: at(5) } }]);

    expect(state).toMatchObject({ clientName: "Acme Inc", updatedAt: at(5), createdAt: at(0) });
  });

  it("emits nothing when renamed to the same name", () => {
    given(renamedClient()).when(rename(" Acme Inc ")).then([]);
  });

  it("refuses an invalid new name", () => {
    given(createdClient()).when(rename("")).thenFails("invalid_input", { field: "clientName" });
  });

  it("adds a member with a role", () => {
    const state = given(createdClient())
      .when(addMember("admin"))
      .then([{ type: "MemberAdded", data: { clientId, userId, role: "admin", at: at(5) } }]);

    expect(state).toMatchObject({ members: { [ownerId]: "owner", [userId]: "admin" } });
  });

  it("refuses an unknown role", () => {
    given(createdClient())
      .when(addMember("boss" as Role))
      .thenFails("invalid_input", { field: "role" });
  });

  it("refuses to add a member twice", () => {
    given(clientWithMember("member"))
      .when(addMember("admin"))
      .thenFails("member_already_exists", { userId, role: "member" });
  });

  it("removes a member", () => {
    const state = given(clientWithMember())
      .when(removeMember())
      .then([{ type: "MemberRemoved", data: { clientId, userId, at: at(5) } }]);

    expect(state).toMatchObject({ members: { [ownerId]: "owner" } });
    expect(state.status === "active" && state.members[userId]).toBeFalsy();
  });

  it("answers member_not_found for a user who is not a member", () => {
    given(createdClient()).when(removeMember()).thenFails("member_not_found");
  });

  it("refuses to remove the last owner", () => {
    given(clientWithMember("admin")).when(removeMember(ownerId)).thenFails("last_owner");
  });

  it("removes an owner while another owner remains", () => {
    given(clientWithMember("owner"))
      .when(removeMember(ownerId))
      .then([{ type: "MemberRemoved", data: { clientId, userId: ownerId, at: at(5) } }]);
  });

  it("deletes", () => {
    const state = given(createdClient())
      .when(remove)
      .then([{ type: "ClientDeleted", data: { clientId, at: at(5) } }]);

    expect(state).toEqual({ status: "deleted", clientId, clientName: "Acme", deletedAt: at(5) });
  });
});

describe("client, deleted", () => {
  it("refuses to be created again", () => {
    given(deletedClient()).when(create).thenFails("client_already_exists");
  });

  for (const command of [rename("B"), remove, addMember(), removeMember(ownerId)]) {
    it(`answers client_not_found to ${command.type}`, () => {
      given(deletedClient()).when(command).thenFails("client_not_found");
    });
  }
});

describe("client evolve", () => {
  it("ignores events that do not fit the state", () => {
    const [created] = createdClient();
    const state = [...deletedClient(), created!].reduce(
      clientDecider.evolve,
      clientDecider.initialState,
    );

    expect(state.status).toBe("deleted");
  });
});
