/**
 * Syntax rules for values Ferry writes into an HTTP request. A stored value
 * that breaks them could add headers or split the request (field case C13),
 * so they are checked when the value enters, not when it is sent.
 */

/**
 * A header name, cookie name or auth scheme: `token = 1*tchar`.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2
 */
export const isToken = (value: string): boolean => /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(value);

/** NUL, CR and LF end or split a header line; the other controls are invalid in it too. */
export const hasControlChars = (value: string): boolean =>
  /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value);

/**
 * Why a header field value is refused, or null when it is fine. Field values
 * are visible characters, spaces and tabs (RFC 9110 §5.5); fetch strips
 * leading and trailing whitespace, which would change a secret silently.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.5
 */
export const headerValueProblem = (value: string): string | null => {
  if (hasControlChars(value)) return "must not contain CR, LF, NUL or other control characters";
  if (/^[ \t]|[ \t]$/.test(value)) return "must not start or end with whitespace";
  return null;
};

/**
 * Headers a credential may not inject: they frame the request or belong to
 * one connection (RFC 9110 §7.6.1), so injecting them could smuggle a second
 * request or reroute this one.
 */
export const isReservedHeaderName = (name: string): boolean =>
  /^(host|content-length|transfer-encoding|connection|keep-alive|te|trailer|upgrade|proxy-.*)$/i.test(
    name,
  );
