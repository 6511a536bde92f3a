/** New ids: a type prefix and a ULID (spec §2), so ids sort by creation time. */
import { ulid } from "ulid";

export const idPrefixes = {
  client: "cli",
  credential: "crd",
  target: "tgt",
  proxy: "prx",
  rule: "rul",
  request: "req",
  user: "usr",
  token: "tok",
} as const;

export const newId = (kind: keyof typeof idPrefixes): string => `${idPrefixes[kind]}_${ulid()}`;
