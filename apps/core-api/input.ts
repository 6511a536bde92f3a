/**
 * Input at the edge: JSON bodies parsed and validated with zod, details
 * naming every bad field, and the prefixed spellings some RequestRocket pages
 * use (`credentialAuthType`, `targetBaseURL`, `proxyProxyCredentialId`)
 * folded onto the names of spec §2.
 */
import type * as z from "zod";
import { ApiError } from "./errors.ts";

export const parseWith = <S extends z.ZodType>(schema: S, input: unknown): z.output<S> => {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ApiError(
    400,
    "invalid_input",
    "the request is not valid",
    result.error.issues.map((issue) => ({
      field: issue.path.join(".") || "(body)",
      message: issue.message,
    })),
  );
};

/**
 * Reads a JSON object body; anything else is a 400, and so is a body whose
 * connection ended before its declared length (the caller is most likely
 * gone, but nothing was written and nothing went wrong here).
 */
export const readJsonObject = async (request: Request): Promise<Record<string, unknown>> => {
  let text: string;
  try {
    text = await request.text();
  } catch {
    throw new ApiError(400, "body_incomplete", "the body ended before its declared length");
  }
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "malformed_json", "the body is not valid JSON");
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new ApiError(400, "invalid_input", "the body must be a JSON object");
  const bad = unstorableString(value, "");
  if (bad !== null)
    throw new ApiError(400, "invalid_input", "the request is not valid", [
      { field: bad || "(body)", message: "must not contain NUL or unpaired UTF-16 surrogates" },
    ]);
  return value as Record<string, unknown>;
};

/**
 * The path of the first string (key or value) Postgres cannot store: jsonb
 * and text refuse `\u0000`, and an unpaired surrogate is not Unicode.
 * JSON.parse accepts both, so they are refused here, where the field can
 * still be named, rather than failing deep in the store.
 */
const unstorableString = (value: unknown, path: string): string | null => {
  const unstorable = (text: string) => text.includes("\u0000") || !text.isWellFormed();
  // Depth first with a stack of its own: a body nested a hundred thousand
  // levels deep must not overflow the call stack.
  const pending: [unknown, string][] = [[value, path]];
  while (pending.length > 0) {
    const [item, at] = pending.pop()!;
    if (typeof item === "string") {
      if (unstorable(item)) return at;
      continue;
    }
    if (!item || typeof item !== "object") continue;
    const children: [unknown, string][] = [];
    for (const [key, child] of Object.entries(item)) {
      const childAt = Array.isArray(item) ? `${at}[${key}]` : at ? `${at}.${key}` : key;
      if (unstorable(key)) return childAt;
      children.push([child, childAt]);
    }
    for (let n = children.length - 1; n >= 0; n--) pending.push(children[n]!);
  }
  return null;
};

/**
 * Folds `{prefix}{Field}` onto `field` when `field` is a known field and the
 * prefixed key is not one itself; the spelling of spec §2 wins when both are
 * given.
 */
export const unprefix = (
  body: Record<string, unknown>,
  prefix: string,
  known: readonly string[],
): Record<string, unknown> => {
  const knownSet = new Set(known);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (knownSet.has(key)) {
      out[key] = value;
      continue;
    }
    if (!key.startsWith(prefix) || key.length === prefix.length) continue;
    const rest = key.slice(prefix.length);
    const field = rest[0]!.toLowerCase() + rest.slice(1);
    const name = knownSet.has(field) ? field : knownSet.has(rest) ? rest : undefined;
    if (name && !(name in body)) out[name] = value;
  }
  return out;
};
