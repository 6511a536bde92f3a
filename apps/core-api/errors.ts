/**
 * The Core API's one table from error kinds and codes to HTTP statuses, and
 * the error envelope of spec §3. Unknown errors answer 500 without their
 * message: internals never leak.
 */
export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

/** One bad field of a 400 answer: every 400 names its fields as a list of these. */
export type FieldDetail = { field: string; message: string };

export class ApiError extends Error {
  readonly details?: unknown;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    details?: unknown,
  ) {
    super(message);
    this.details = status === 400 ? fieldDetails(details, message) : details;
  }
}

/**
 * The details of a 400 in the one shape spec §3 asks for, a list naming each
 * bad field, whichever layer refused: the edge's schema gives that list, the
 * domain gives `{ field, issues }` (or `{ field, fields }` for unknown
 * fields), a route's own check `{ field }` with the error's message.
 */
export function fieldDetails(details: unknown, message: string): unknown {
  if (details === undefined) return details;
  if (Array.isArray(details)) return onePerField(details);
  if (typeof details !== "object" || details === null) return details;
  const { field, fields, issues } = details as {
    field?: unknown;
    fields?: unknown;
    issues?: unknown;
  };
  if (Array.isArray(issues)) return onePerField(issues);
  if (Array.isArray(fields))
    return fields.map((name): FieldDetail => ({ field: String(name), message }));
  if (typeof field === "string") return [{ field, message }];
  return details;
}

/**
 * A field that breaks several checks (`1e20` is no integer and too large) is
 * named once, its messages joined in the order the checks ran.
 */
function onePerField(details: unknown[]): unknown[] {
  const byField = new Map<string, FieldDetail>();
  const merged: unknown[] = [];
  for (const detail of details) {
    const { field, message } = (detail ?? {}) as Partial<FieldDetail>;
    if (typeof field !== "string" || typeof message !== "string") {
      merged.push(detail);
      continue;
    }
    const seen = byField.get(field);
    if (seen === undefined) {
      const entry = { field, message };
      byField.set(field, entry);
      merged.push(entry);
    } else if (!seen.message.split("; ").includes(message)) seen.message += `; ${message}`;
  }
  return merged;
}

export const statusOfKind = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
} as const;

export type ErrorKind = keyof typeof statusOfKind;

export const errorBody = (code: string, message: string, details?: unknown): ErrorBody => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

export const errorResponse = (
  status: number,
  code: string,
  message: string,
  details?: unknown,
  headers?: Record<string, string>,
): Response =>
  Response.json(errorBody(code, message, details), {
    status,
    headers: { "cache-control": "no-store", ...headers },
  });

export const notFound = (what: string): ApiError =>
  new ApiError(404, "not_found", `${what} not found`);
