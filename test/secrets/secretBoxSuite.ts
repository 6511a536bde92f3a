/**
 * What a secret box must do on any store: the same suite runs on PGlite and
 * on server Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ulid } from "ulid";
import type { Sealed } from "../../core/domain/events.ts";
import { masterKeyFromBytes, type MasterKey } from "../../adapters/secrets/deriveKeys.ts";
import {
  DataKeyDestroyedError,
  DataKeyMissingError,
  DataKeyUnwrapError,
  SealedSecretRejectedError,
} from "../../adapters/secrets/errors.ts";
import { createSecretBox, type SecretBox } from "../../adapters/secrets/secretBox.ts";
import { openDocument, sealDocument } from "../../adapters/secrets/sealDocument.ts";
import { referenceOpen, referenceUnwrap } from "./reference.ts";
import type { SecretsStore } from "./stores.ts";

type KeyRow = {
  client_id: string;
  key_id: string;
  master_key_id: string;
  wrapped_key: Uint8Array | null;
  destroyed_at: Date | null;
};

const newClientId = () => `cli_${ulid()}`;
const targetSecret = { keyName: "X-Api-Key", keyValue: "tk_SECRET_target_value_1" };

/** Flips one bit in the middle of a base64url field. */
const flipBit = (field: string): string => {
  const bytes = Buffer.from(field, "base64url");
  bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
  return bytes.toString("base64url");
};

export const describeSecretBox = (openStore: () => Promise<SecretsStore>) => {
  let store: SecretsStore;
  const masterBytes = crypto.getRandomValues(new Uint8Array(32));
  const otherMasterBytes = crypto.getRandomValues(new Uint8Array(32));
  let masterKey: MasterKey;
  let otherMasterKey: MasterKey;
  let box: SecretBox;

  const keyRow = async (clientId: string): Promise<KeyRow> => {
    const { rows } = await store.sql.query<KeyRow>(
      "SELECT * FROM ferry_data_keys WHERE client_id = $1",
      [clientId],
    );
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };

  beforeAll(async () => {
    store = await openStore();
    masterKey = await masterKeyFromBytes(masterBytes, "env");
    otherMasterKey = await masterKeyFromBytes(otherMasterBytes, "env");
    box = createSecretBox({ sql: store.sql, masterKey });
  });

  afterAll(async () => {
    await store?.close();
  });

  describe("a client with no data key yet", () => {
    it("gets one on first seal, and the blob opens to the same document", async () => {
      const clientId = newClientId();

      const sealed = await box.seal(clientId, targetSecret);

      expect(sealed).toMatchObject({ v: 1, keyId: expect.stringMatching(/^dk_/) });
      expect(Buffer.from(sealed.iv, "base64url")).toHaveLength(12);
      expect(await box.open(clientId, sealed)).toEqual(targetSecret);
      const row = await keyRow(clientId);
      expect(row.key_id).toBe(sealed.keyId);
      expect(row.master_key_id).toBe(masterKey.id);
      expect(row.destroyed_at).toBeNull();
    });

    it("cannot open anything", async () => {
      const owner = newClientId();
      const sealed = await box.seal(owner, targetSecret);

      await expect(box.open(newClientId(), sealed)).rejects.toBeInstanceOf(DataKeyMissingError);
    });

    it("gets exactly one key when two processes seal its first secrets at once", async () => {
      const clientId = newClientId();
      const first = createSecretBox({ sql: store.sql, masterKey });
      const second = createSecretBox({ sql: store.other, masterKey });

      const sealed = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? first : second).seal(clientId, { i })),
      );

      expect(new Set(sealed.map((blob) => blob.keyId)).size).toBe(1);
      const { rows } = await store.sql.query(
        "SELECT key_id FROM ferry_data_keys WHERE client_id = $1",
        [clientId],
      );
      expect(rows).toHaveLength(1);
      for (const [i, blob] of sealed.entries()) {
        expect(await first.open(clientId, blob)).toEqual({ i });
        expect(await second.open(clientId, blob)).toEqual({ i });
      }
    });
  });

  describe("a client with a data key", () => {
    let clientId: string;
    let sealed: Sealed;

    beforeAll(async () => {
      clientId = newClientId();
      sealed = await box.seal(clientId, targetSecret);
    });

    it("seals the same document differently every time", async () => {
      const again = await box.seal(clientId, targetSecret);

      expect(again.keyId).toBe(sealed.keyId);
      expect(again.iv).not.toBe(sealed.iv);
      expect(again.ciphertext).not.toBe(sealed.ciphertext);
    });

    it("opens in another process that shares only the store and the master key", async () => {
      const elsewhere = createSecretBox({
        sql: store.other,
        masterKey: await masterKeyFromBytes(masterBytes, "file"),
      });

      expect(await elsewhere.open(clientId, sealed)).toEqual(targetSecret);
    });

    it.each([
      ["a bit of the ciphertext", (s: Sealed) => ({ ...s, ciphertext: flipBit(s.ciphertext) })],
      ["a bit of the IV", (s: Sealed) => ({ ...s, iv: flipBit(s.iv) })],
      ["the tag cut off", (s: Sealed) => ({ ...s, ciphertext: s.ciphertext.slice(0, -4) })],
      ["another key id", (s: Sealed) => ({ ...s, keyId: `dk_${ulid()}` })],
      ["another version", (s: Sealed) => ({ ...s, v: 2 }) as unknown as Sealed],
    ])("rejects a blob with %s", async (_, tamper) => {
      await expect(box.open(clientId, tamper(sealed))).rejects.toBeInstanceOf(
        SealedSecretRejectedError,
      );
    });

    it("rejects its blob opened as another client's", async () => {
      const otherClient = newClientId();
      await box.seal(otherClient, { unrelated: true });

      await expect(box.open(otherClient, sealed)).rejects.toBeInstanceOf(SealedSecretRejectedError);
    });

    it("binds the client id into the ciphertext itself, not only into the key lookup", async () => {
      const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
        "encrypt",
        "decrypt",
      ]);
      const blob = await sealDocument(key, { clientId: "cli_A", keyId: "dk_1" }, targetSecret);

      expect(await openDocument(key, { clientId: "cli_A", keyId: "dk_1" }, blob)).toEqual(
        targetSecret,
      );
      expect(await openDocument(key, { clientId: "cli_B", keyId: "dk_1" }, blob)).toBeUndefined();
    });

    it("does not unwrap its key when the row is copied onto another client", async () => {
      const victim = newClientId();
      await box.seal(victim, { victim: true });
      const source = await keyRow(clientId);
      await store.sql.query(
        "UPDATE ferry_data_keys SET key_id = $2, wrapped_key = $3 WHERE client_id = $1",
        [victim, source.key_id, Buffer.from(source.wrapped_key!)],
      );
      const fresh = createSecretBox({ sql: store.sql, masterKey });

      await expect(fresh.open(victim, sealed)).rejects.toBeInstanceOf(DataKeyUnwrapError);
    });

    it("does not open under another master key", async () => {
      const wrongBox = createSecretBox({ sql: store.sql, masterKey: otherMasterKey });

      const failure = await wrongBox.open(clientId, sealed).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(DataKeyUnwrapError);
      expect((failure as Error).message).toContain(otherMasterKey.id);
    });

    it("does not unwrap under another master key even when the row claims that key", async () => {
      const relabelled = newClientId();
      await box.seal(relabelled, targetSecret);
      await store.sql.query("UPDATE ferry_data_keys SET master_key_id = $2 WHERE client_id = $1", [
        relabelled,
        otherMasterKey.id,
      ]);
      const wrongBox = createSecretBox({ sql: store.sql, masterKey: otherMasterKey });

      await expect(wrongBox.seal(relabelled, {})).rejects.toBeInstanceOf(DataKeyUnwrapError);
    });

    it("keeps the data key and the plaintext off disk", async () => {
      const plaintext = "tk_PLAINTEXT_never_on_disk_42";
      const owner = newClientId();
      const blob = await box.seal(owner, { keyValue: plaintext });
      await store.sql.exec(
        "CREATE TABLE IF NOT EXISTS secrets_test_events (id serial PRIMARY KEY, data jsonb)",
      );
      await store.sql.query("INSERT INTO secrets_test_events (data) VALUES ($1)", [blob]);
      const row = await keyRow(owner);
      const dataKey = await referenceUnwrap(masterBytes, {
        clientId: owner,
        keyId: row.key_id,
        wrappedKey: row.wrapped_key!,
      });

      const keysFile = await store.tableFile("ferry_data_keys");
      const eventsFile = await store.tableFile("secrets_test_events");

      // The searches can see what is stored: the wrapped key and the blob are there.
      expect(keysFile.indexOf(Buffer.from(row.wrapped_key!))).toBeGreaterThanOrEqual(0);
      expect(eventsFile.indexOf(blob.ciphertext)).toBeGreaterThanOrEqual(0);
      expect(await referenceOpen(dataKey, owner, blob)).toEqual({ keyValue: plaintext });
      for (const file of [keysFile, eventsFile]) {
        expect(file.indexOf(Buffer.from(dataKey))).toBe(-1);
        expect(file.indexOf(Buffer.from(dataKey).toString("base64url"))).toBe(-1);
        expect(file.indexOf(Buffer.from(dataKey).toString("hex"))).toBe(-1);
        expect(file.indexOf(plaintext)).toBe(-1);
        expect(file.indexOf(masterBytes)).toBe(-1);
      }
    });
  });

  describe("a client whose data key was destroyed", () => {
    let clientId: string;
    let sealed: Sealed;

    beforeAll(async () => {
      clientId = newClientId();
      sealed = await box.seal(clientId, targetSecret);
      await box.destroyClientKey(clientId);
    });

    it("keeps a row with no key material and a destruction time", async () => {
      const row = await keyRow(clientId);

      expect(row.wrapped_key).toBeNull();
      expect(row.destroyed_at).not.toBeNull();
    });

    it("opens nothing, here or in another process", async () => {
      const elsewhere = createSecretBox({ sql: store.other, masterKey });

      await expect(box.open(clientId, sealed)).rejects.toBeInstanceOf(DataKeyDestroyedError);
      await expect(elsewhere.open(clientId, sealed)).rejects.toBeInstanceOf(DataKeyDestroyedError);
    });

    it("seals nothing new", async () => {
      const elsewhere = createSecretBox({ sql: store.other, masterKey });

      await expect(box.seal(clientId, {})).rejects.toBeInstanceOf(DataKeyDestroyedError);
      await expect(elsewhere.seal(clientId, {})).rejects.toBeInstanceOf(DataKeyDestroyedError);
    });

    it("stays destroyed when destroyed again", async () => {
      const before = await keyRow(clientId);

      await box.destroyClientKey(clientId);

      const after = await keyRow(clientId);
      expect(after.destroyed_at).toEqual(before.destroyed_at);
      expect(after.key_id).toBe(before.key_id);
    });
  });

  describe("a client destroyed before it sealed anything", () => {
    it("can never get a key", async () => {
      const clientId = newClientId();

      await box.destroyClientKey(clientId);

      const fresh = createSecretBox({ sql: store.sql, masterKey });
      await expect(fresh.seal(clientId, {})).rejects.toBeInstanceOf(DataKeyDestroyedError);
      expect((await keyRow(clientId)).wrapped_key).toBeNull();
    });
  });

  describe("a process holding a cached key that another process destroyed", () => {
    it("stops opening once told to forget, or at once without a cache", async () => {
      const clientId = newClientId();
      const cached = createSecretBox({ sql: store.sql, masterKey });
      const uncached = createSecretBox({ sql: store.sql, masterKey, keyCacheMs: 0 });
      const sealed = await cached.seal(clientId, targetSecret);
      expect(await uncached.open(clientId, sealed)).toEqual(targetSecret);

      await createSecretBox({ sql: store.other, masterKey }).destroyClientKey(clientId);

      await expect(uncached.open(clientId, sealed)).rejects.toBeInstanceOf(DataKeyDestroyedError);
      cached.forget(clientId);
      await expect(cached.open(clientId, sealed)).rejects.toBeInstanceOf(DataKeyDestroyedError);
    });
  });
};
