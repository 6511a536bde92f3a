import { ignoreUnknown } from "../decider.ts";
import type { TargetEvent, TargetFields } from "../events.ts";

export type TargetState =
  | { status: "empty" }
  | (TargetFields & {
      status: "active";
      targetId: string;
      clientId: string;
      createdAt: string;
      updatedAt: string;
    })
  | { status: "deleted"; targetId: string; clientId: string; deletedAt: string };

export const initialState: TargetState = { status: "empty" };

export const evolve = (state: TargetState, event: TargetEvent): TargetState => {
  switch (event.type) {
    case "TargetCreated": {
      if (state.status !== "empty") return state;
      const { at, ...fields } = event.data;
      return { status: "active", ...fields, createdAt: at, updatedAt: at };
    }
    case "TargetUpdated":
      if (state.status !== "active") return state;
      return { ...state, ...event.data.changes, updatedAt: event.data.at };
    case "TargetDeleted":
      if (state.status !== "active") return state;
      return {
        status: "deleted",
        targetId: state.targetId,
        clientId: state.clientId,
        deletedAt: event.data.at,
      };
    default:
      return ignoreUnknown(event, state);
  }
};
