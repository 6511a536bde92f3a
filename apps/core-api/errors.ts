/**
 * The Core API's one table from error kinds and codes to HTTP statuses, and
 * the error envelope of spec §3. Unknown errors answer 500 without their
 * message: internals never leak.
 */
export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
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
