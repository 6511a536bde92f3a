/**
 * Fresh secrets handed to people: proxy keys for callers and user tokens for
 * the Core API. Both are base64url with a prefix, so a leaked one is easy to
 * recognise in a log or a secret scanner.
 */
import { randomBytes, toBase64Url } from "./encoding.ts";

export const PROXY_KEY_PREFIX = "fk_";
export const USER_TOKEN_PREFIX = "u-";

const SECRET_BYTES = 32;

/**
 * A proxy key (spec §2: at least 32 random bytes): `fk_` and 43 base64url
 * characters.
 */
export const generateProxyKey = (): string =>
  PROXY_KEY_PREFIX + toBase64Url(randomBytes(SECRET_BYTES));

/**
 * A user token (spec §2: `u-` and at least 128 bits): `u-` and 256 bits as 43
 * base64url characters.
 */
export const generateUserToken = (): string =>
  USER_TOKEN_PREFIX + toBase64Url(randomBytes(SECRET_BYTES));
