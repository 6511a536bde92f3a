import { ignoreUnknown } from "../decider.ts";
import type { ClientEvent, Role } from "../events.ts";

export type ClientState =
  | { status: "empty" }
  | {
      status: "active";
      clientId: string;
      clientName: string;
      createdBy: string;
      createdAt: string;
      updatedAt: string;
      /** Role by user id. */
      members: Readonly<Record<string, Role>>;
    }
  | { status: "deleted"; clientId: string; clientName: string; deletedAt: string };

export const initialState: ClientState = { status: "empty" };

export const evolve = (state: ClientState, event: ClientEvent): ClientState => {
  switch (event.type) {
    case "ClientCreated": {
      if (state.status !== "empty") return state;
      const { clientId, clientName, createdBy, at } = event.data;
      return {
        status: "active",
        clientId,
        clientName,
        createdBy,
        createdAt: at,
        updatedAt: at,
        members: {},
      };
    }
    case "ClientRenamed":
      if (state.status !== "active") return state;
      return { ...state, clientName: event.data.clientName, updatedAt: event.data.at };
    case "ClientDeleted":
      if (state.status !== "active") return state;
      return {
        status: "deleted",
        clientId: state.clientId,
        clientName: state.clientName,
        deletedAt: event.data.at,
      };
    case "MemberAdded":
      if (state.status !== "active") return state;
      return { ...state, members: { ...state.members, [event.data.userId]: event.data.role } };
    case "MemberRemoved": {
      if (state.status !== "active") return state;
      const { [event.data.userId]: _removed, ...members } = state.members;
      return { ...state, members };
    }
    default:
      return ignoreUnknown(event, state);
  }
};
