/**
 * Reads the text form of a master key: 64 hex digits, or base64 (standard or
 * url-safe, padded or not) of exactly 32 bytes. Errors describe the expected
 * form and never quote the input, which may be a real key with a typo.
 */
import { MASTER_KEY_BYTES } from "./deriveKeys.ts";
import { copyBytes, fromBase64Url, type Bytes } from "./encoding.ts";
import { MasterKeyInvalidError } from "./errors.ts";

const HEX = /^[0-9a-fA-F]{64}$/;
// 32 bytes are 43 base64 digits and one pad character.
const BASE64 = /^[A-Za-z0-9+/_-]{43}=?$/;

/**
 * Decodes a master key's text; `origin` names where it came from for the
 * error message (a variable or a file).
 *
 * @throws MasterKeyInvalidError when the text is not one of the two forms.
 */
export const parseMasterKey = (text: string, origin: string): Bytes => {
  const trimmed = text.trim();

  if (trimmed === "") {
    throw new MasterKeyInvalidError(
      `${origin} is empty; it must hold a ${MASTER_KEY_BYTES}-byte key`,
    );
  }
  if (HEX.test(trimmed)) return copyBytes(Buffer.from(trimmed, "hex"));
  if (BASE64.test(trimmed)) {
    const bytes = fromBase64Url(trimmed.replace(/=$/, ""));
    if (bytes.byteLength === MASTER_KEY_BYTES) return bytes;
  }

  throw new MasterKeyInvalidError(
    `${origin} is not a valid master key: expected ${MASTER_KEY_BYTES} bytes as 64 hex digits ` +
      `or as base64 (e.g. the output of \`openssl rand -base64 32\`)`,
  );
};
