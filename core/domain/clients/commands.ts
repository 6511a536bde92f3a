import type { Role } from "../events.ts";

/** `createdBy` becomes the client's first owner (spec §2). */
export type CreateClient = {
  type: "CreateClient";
  clientId: string;
  clientName: string;
  createdBy: string;
  at: string;
};

export type RenameClient = {
  type: "RenameClient";
  clientId: string;
  clientName: string;
  at: string;
};

export type DeleteClient = { type: "DeleteClient"; clientId: string; at: string };

export type AddMember = {
  type: "AddMember";
  clientId: string;
  userId: string;
  role: Role;
  at: string;
};

export type RemoveMember = { type: "RemoveMember"; clientId: string; userId: string; at: string };

export type ClientCommand = CreateClient | RenameClient | DeleteClient | AddMember | RemoveMember;
