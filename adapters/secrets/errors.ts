/**
 * What can go wrong with secrets, as errors with a stable `code`. These are
 * exceptions, not Results: each one means broken configuration (a bad master
 * key), a deleted client (a destroyed data key) or damaged storage, never a
 * rejected command. Messages name files, variables and ids, never a value.
 */

export type SecretErrorCode =
  | "master_key_invalid"
  | "master_key_file_insecure"
  | "data_key_missing"
  | "data_key_destroyed"
  | "data_key_unwrap_failed"
  | "sealed_secret_rejected";

/** Base of every secrets error; switch on `code`. */
export class SecretError extends Error {
  constructor(
    readonly code: SecretErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** `FERRY_MASTER_KEY` or the key file holds something that is not a 32-byte key. */
export class MasterKeyInvalidError extends SecretError {
  constructor(message: string) {
    super("master_key_invalid", message);
  }
}

/** The key file can be read or written by someone other than its owner. */
export class MasterKeyFileInsecureError extends SecretError {
  constructor(message: string) {
    super("master_key_file_insecure", message);
  }
}

/** No data key was ever created for this client, so nothing of it can be opened. */
export class DataKeyMissingError extends SecretError {
  constructor(readonly clientId: string) {
    super("data_key_missing", `no data key exists for client ${clientId}`);
  }
}

/** The client's data key was destroyed (crypto-shredding): its secrets are gone for good. */
export class DataKeyDestroyedError extends SecretError {
  constructor(readonly clientId: string) {
    super("data_key_destroyed", `the data key of client ${clientId} was destroyed`);
  }
}

/** The stored data key does not unwrap under the loaded master key. */
export class DataKeyUnwrapError extends SecretError {
  constructor(
    readonly clientId: string,
    message: string,
  ) {
    super("data_key_unwrap_failed", message);
  }
}

/** A sealed blob failed authentication: tampered with, malformed, or sealed for another client. */
export class SealedSecretRejectedError extends SecretError {
  constructor(
    readonly clientId: string,
    reason: string,
  ) {
    super("sealed_secret_rejected", `sealed secret rejected for client ${clientId}: ${reason}`);
  }
}
