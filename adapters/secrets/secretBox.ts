/**
 * Where secrets are encrypted and decrypted: envelope encryption with one
 * AES-256 data key per client (spec §2, Credential), each wrapped by the
 * master key in `ferry_data_keys`. Destroying a client's data key makes every
 * secret sealed for it unreadable, although its events remain.
 */
import { ulid } from "ulid";
import type { Sealed } from "../../core/domain/events.ts";
import type { SqlExecutor } from "../sql/sqlClient.ts";
import { destroyDataKey, findDataKey, insertDataKeyIfAbsent } from "./dataKeyTable.ts";
import {
  DataKeyDestroyedError,
  DataKeyMissingError,
  DataKeyUnwrapError,
  SealedSecretRejectedError,
} from "./errors.ts";
import type { MasterKey } from "./deriveKeys.ts";
import { isSealed, openBytes, openDocument, sealBytes, sealDocument } from "./sealDocument.ts";
import { newWrappedDataKey, unwrapDataKey } from "./wrapDataKey.ts";

export type SecretBox = {
  /** Seals `doc` for `clientId`, creating the client's data key on first use. */
  seal(clientId: string, doc: Record<string, unknown>): Promise<Sealed>;
  /**
   * Opens a blob sealed for `clientId`.
   *
   * @throws SealedSecretRejectedError when it was tampered with or sealed for another client.
   * @throws DataKeyDestroyedError when the client's data key was destroyed.
   * @throws DataKeyMissingError when the client never had a data key.
   * @throws DataKeyUnwrapError when the data key does not unwrap under this master key.
   */
  open(clientId: string, sealed: Sealed): Promise<Record<string, unknown>>;
  /** Seals raw bytes for `clientId`, like `seal`. */
  sealBytes(clientId: string, bytes: Uint8Array<ArrayBuffer>): Promise<Sealed>;
  /** Opens bytes sealed by `sealBytes`; throws as `open` does. */
  openBytes(clientId: string, sealed: Sealed): Promise<Uint8Array<ArrayBuffer>>;
  /**
   * Crypto-shredding: wipes the client's wrapped data key for good. Idempotent.
   * Postgres keeps the old row version until VACUUM reclaims it, and WAL and
   * backups keep it longer; until those are gone, someone holding both them
   * and the master key could still unwrap the key.
   */
  destroyClientKey(clientId: string): Promise<void>;
  /** Drops a cached data key, e.g. when another process reports the client deleted. */
  forget(clientId: string): void;
};

export type SecretBoxOptions = {
  sql: SqlExecutor;
  masterKey: MasterKey;
  /**
   * How long an unwrapped data key stays cached. This bounds how long another
   * process that destroyed the key can still see it opened here, unless that
   * process's news reaches `forget` first. Default 60 s; 0 disables the cache.
   */
  keyCacheMs?: number;
};

type DataKey = { keyId: string; key: CryptoKey };

/**
 * Builds the secret box for one store and one master key. Unwrapped data
 * keys are cached in memory as non-extractable CryptoKeys; the raw bytes of
 * a data key are never held after it is first wrapped.
 *
 * @example
 * const box = createSecretBox({ sql, masterKey });
 * const sealed = await box.seal(clientId, { keyValue: "tk_…" });
 * const doc = await box.open(clientId, sealed);
 */
export const createSecretBox = ({
  sql,
  masterKey,
  keyCacheMs = 60_000,
}: SecretBoxOptions): SecretBox => {
  const cache = new Map<string, DataKey & { expiresAt: number }>();
  // A load that started before this process destroyed a key must not put the
  // key back in the cache when it finishes.
  const destroyedHere = new Set<string>();

  const loadDataKey = async (clientId: string, create: boolean): Promise<DataKey> => {
    let row = await findDataKey(sql, clientId);
    if (!row && create) {
      const keyId = `dk_${ulid()}`;
      const wrappedKey = await newWrappedDataKey(masterKey, { clientId, keyId });
      await insertDataKeyIfAbsent(sql, { clientId, keyId, masterKeyId: masterKey.id, wrappedKey });
      row = await findDataKey(sql, clientId);
    }

    if (!row) throw new DataKeyMissingError(clientId);
    if (row.wrappedKey === null) throw new DataKeyDestroyedError(clientId);
    if (row.masterKeyId !== masterKey.id) {
      throw new DataKeyUnwrapError(
        clientId,
        `the data key of client ${clientId} was wrapped by master key ${row.masterKeyId}, ` +
          `but the loaded master key is ${masterKey.id}: check FERRY_MASTER_KEY`,
      );
    }

    const key = await unwrapDataKey(masterKey, { clientId, keyId: row.keyId }, row.wrappedKey);
    if (!key) {
      throw new DataKeyUnwrapError(
        clientId,
        `the data key of client ${clientId} does not unwrap under master key ${masterKey.id}: ` +
          `the row was damaged or copied from another client`,
      );
    }
    return { keyId: row.keyId, key };
  };

  const dataKeyFor = async (clientId: string, create: boolean): Promise<DataKey> => {
    if (destroyedHere.has(clientId)) throw new DataKeyDestroyedError(clientId);
    const hit = cache.get(clientId);
    if (hit && Date.now() < hit.expiresAt) return hit;

    const loaded = await loadDataKey(clientId, create);

    if (destroyedHere.has(clientId)) throw new DataKeyDestroyedError(clientId);
    if (keyCacheMs > 0) cache.set(clientId, { ...loaded, expiresAt: Date.now() + keyCacheMs });
    return loaded;
  };

  /** The data key that opens `sealed`, after checking its shape and key id. */
  const opening = async (clientId: string, sealed: Sealed): Promise<DataKey> => {
    if (!isSealed(sealed)) {
      throw new SealedSecretRejectedError(clientId, "not a sealed secret of version 1");
    }
    const dataKey = await dataKeyFor(clientId, false);
    if (sealed.keyId !== dataKey.keyId) {
      throw new SealedSecretRejectedError(clientId, "sealed under another data key");
    }
    return dataKey;
  };

  return {
    seal: async (clientId, doc) => {
      const { keyId, key } = await dataKeyFor(clientId, true);
      return sealDocument(key, { clientId, keyId }, doc);
    },

    open: async (clientId, sealed) => {
      const { keyId, key } = await opening(clientId, sealed);

      const doc = await openDocument(key, { clientId, keyId }, sealed);
      if (!doc) {
        throw new SealedSecretRejectedError(
          clientId,
          "authentication failed: tampered with, or sealed for another client",
        );
      }
      return doc;
    },

    sealBytes: async (clientId, bytes) => {
      const { keyId, key } = await dataKeyFor(clientId, true);
      return sealBytes(key, { clientId, keyId }, bytes);
    },

    openBytes: async (clientId, sealed) => {
      const { keyId, key } = await opening(clientId, sealed);
      const bytes = await openBytes(key, { clientId, keyId }, sealed);
      if (!bytes)
        throw new SealedSecretRejectedError(
          clientId,
          "authentication failed: tampered with, or sealed for another client",
        );
      return bytes;
    },

    destroyClientKey: async (clientId) => {
      destroyedHere.add(clientId);
      cache.delete(clientId);
      await destroyDataKey(sql, { clientId, keyId: `dk_${ulid()}`, masterKeyId: masterKey.id });
    },

    forget: (clientId) => {
      cache.delete(clientId);
    },
  };
};
