import { protocol } from "@electric-sql/pglite";

/**
 * An error thrown in the worker, as it crosses to the main thread. Structured
 * clone keeps an Error's message but drops the fields Postgres errors carry
 * (`code`, `constraint`, `detail`…), which callers branch on (`23505`,
 * `40001`), so those travel beside it.
 */
export type RemoteError = {
  message: string;
  database: boolean;
  fields: Record<string, unknown>;
};

const { DatabaseError } = protocol.messages;

/** Flattens what the worker caught into something postMessage can carry. */
export function toRemoteError(error: unknown): RemoteError {
  const fields: Record<string, unknown> = {};
  if (typeof error === "object" && error !== null) {
    for (const [key, value] of Object.entries(error)) {
      // `queryOptions` may hold parser functions, which cannot be cloned.
      if (isPrimitive(value) || (key === "params" && Array.isArray(value))) fields[key] = value;
    }
  }
  if (error instanceof Error) fields.name ??= error.name;

  return {
    message: describeError(error),
    database: error instanceof DatabaseError,
    fields,
  };
}

/**
 * Rebuilds the error on the main thread: a PGlite `DatabaseError` again when
 * it was one, with every field it had, so code written against the in-thread
 * client sees the same thing.
 */
export function fromRemoteError(remote: RemoteError): Error {
  const { length, name, ...fields } = remote.fields;

  const error = remote.database
    ? new DatabaseError(
        remote.message,
        typeof length === "number" ? length : 0,
        name === "notice" ? "notice" : "error",
      )
    : Object.assign(new Error(remote.message), typeof name === "string" ? { name } : {});

  return Object.assign(error, fields);
}

/*
 * Emscripten's file system throws `ErrnoError` objects that are not Errors and
 * have no message (a data folder that is a file fails this way): name them by
 * their errno rather than "[object Object]".
 */
function describeError(error: unknown): string {
  if (error instanceof Error && error.message !== "") return error.message;
  if (typeof error !== "object" || error === null) return String(error);

  const { message, name, errno } = error as { message?: unknown; name?: unknown; errno?: unknown };
  if (typeof message === "string" && message !== "") return message;
  return [name, errno === undefined ? undefined : `errno ${String(errno)}`]
    .filter((part) => part !== undefined)
    .join(" ");
}

const isPrimitive = (value: unknown): boolean =>
  value === null || !["object", "function", "symbol"].includes(typeof value);
