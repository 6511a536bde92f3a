import * as z from "zod";
import {
  hasControlChars,
  headerValueProblem,
  isReservedHeaderName,
  isToken,
} from "../httpSyntax.ts";

/**
 * Rules for single secret fields. Values that end up in a header or a query
 * string are checked here, once, when they enter (field case C13); the proxy
 * still fails closed on anything that slipped through.
 */

/** Longest value accepted: far above any real key, far below a 431. */
const MAX_VALUE = 8192;

const text = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .max(MAX_VALUE, { error: `must be at most ${MAX_VALUE} characters` });

/** A value written into a header as it is. */
export const headerValue = () =>
  text()
    .min(1, { error: "must not be empty" })
    .superRefine((value, ctx) => {
      const problem = headerValueProblem(value);
      if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
    });

/** A value that is encoded before it is sent (Basic auth, query, form body): controls only. */
export const encodedValue = () =>
  text().refine((value) => !hasControlChars(value), {
    error: "must not contain CR, LF, NUL or other control characters",
  });

/** A header name, or a query parameter name that must stay one token. */
export const tokenName = () =>
  text().refine(isToken, {
    error: "must be an HTTP token: letters, digits and !#$%&'*+-.^_`|~, no space or colon",
  });

/** An auth scheme such as `Bearer`; empty sends the token alone. */
export const schemePrefix = () =>
  text().refine((value) => value === "" || isToken(value), {
    error: "must be an HTTP token (no space or colon) or empty",
  });

/** `username` of Basic auth: a colon would end it early (RFC 7617 §2). */
export const basicUsername = () =>
  encodedValue()
    .min(1, { error: "must not be empty" })
    .refine((value) => !value.includes(":"), { error: "must not contain a colon" });

/** An absolute http(s) URL Ferry calls itself (an OAuth token endpoint). */
export const endpointURL = () =>
  text().refine(
    (value) => {
      if (hasControlChars(value) || /\s/.test(value)) return false;
      try {
        const url = new URL(value);
        const web = url.protocol === "https:" || url.protocol === "http:";
        return web && url.hostname !== "" && url.username === "" && url.password === "";
      } catch {
        return false;
      }
    },
    { error: "must be an absolute http or https URL without credentials" },
  );

/**
 * `map`, refusing a key named `__proto__`. JSON.parse keeps one as an own
 * key, but a record drops it (writing it would set the prototype), so a
 * custom header or parameter of that name would vanish without a word.
 */
const refusingProtoKey = <T extends z.ZodType>(map: T, message: string) =>
  z.preprocess((input, ctx) => {
    if (typeof input === "object" && input !== null && Object.hasOwn(input, "__proto__"))
      ctx.addIssue({ code: "custom", message, path: ["__proto__"], input });
    return input;
  }, map);

/** Headers injected verbatim: token names, safe values, nothing that frames the request. */
export const headerMap = () =>
  refusingProtoKey(
    z.record(z.string(), headerValue(), { error: "must be an object of header names to strings" }),
    "header name __proto__ is reserved and cannot be injected",
  ).superRefine((headers, ctx) => {
    const seen = new Set<string>();
    for (const name of Object.keys(headers)) {
      const problem = !isToken(name)
        ? "header name must be an HTTP token (no space, colon, CR or LF)"
        : isReservedHeaderName(name)
          ? "header is set by the proxy itself and cannot be injected"
          : seen.has(name.toLowerCase())
            ? "header name is given twice (names are case-insensitive)"
            : null;
      if (problem !== null) ctx.addIssue({ code: "custom", message: problem, path: [name] });
      seen.add(name.toLowerCase());
    }
  });

/** Query parameters injected verbatim; they are percent-encoded when sent (field case C14). */
export const queryMap = () =>
  refusingProtoKey(
    z.record(z.string(), encodedValue(), {
      error: "must be an object of parameter names to strings",
    }),
    "parameter name __proto__ is reserved and cannot be injected",
  ).superRefine((query, ctx) => {
    for (const name of Object.keys(query)) {
      if (name === "" || hasControlChars(name)) {
        ctx.addIssue({
          code: "custom",
          message: "parameter name must be non-empty, without control characters",
          path: [name],
        });
      }
    }
  });
