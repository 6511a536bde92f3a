/**
 * Secrets: the master key, envelope encryption of credential secrets under
 * per-client data keys, keyed hashes of compared secrets, and fresh proxy
 * keys and user tokens. Nothing here logs a secret or stores one in clear.
 */
export { loadMasterKey, MASTER_KEY_ENV, MASTER_KEY_FILE } from "./masterKey.ts";
export type { LoadMasterKeyOptions, WarnLogger } from "./masterKey.ts";
export { masterKeyFromBytes } from "./deriveKeys.ts";
export type { MasterKey } from "./deriveKeys.ts";
export { parseMasterKey } from "./parseMasterKey.ts";
export { createKeyedHasher, timingSafeEqualStrings } from "./keyedHasher.ts";
export type { KeyedHasher } from "./keyedHasher.ts";
export { createSecretBox } from "./secretBox.ts";
export type { SecretBox, SecretBoxOptions } from "./secretBox.ts";
export {
  generateProxyKey,
  generateUserToken,
  PROXY_KEY_PREFIX,
  USER_TOKEN_PREFIX,
} from "./randomSecrets.ts";
export * from "./errors.ts";
