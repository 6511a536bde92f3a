import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { masterKeyFromBytes } from "../../adapters/secrets/deriveKeys.ts";
import {
  MasterKeyFileInsecureError,
  MasterKeyInvalidError,
} from "../../adapters/secrets/errors.ts";
import { loadMasterKey } from "../../adapters/secrets/masterKey.ts";

/** A real pino logger whose lines are kept for inspection. */
const capturingLogger = () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level: "info" }, sink), lines };
};

const roots: string[] = [];
const freshDataDir = async () => {
  const root = await mkdtemp(join(tmpdir(), "ferry-master-key-"));
  roots.push(root);
  return join(root, "data");
};

afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

const keyBytes = crypto.getRandomValues(new Uint8Array(32));
const hex = Buffer.from(keyBytes).toString("hex");
const base64 = Buffer.from(keyBytes).toString("base64");
const base64url = Buffer.from(keyBytes).toString("base64url");

describe("FERRY_MASTER_KEY set", () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await freshDataDir();
  });

  it.each([
    ["hex", hex],
    ["upper-case hex", hex.toUpperCase()],
    ["padded base64", base64],
    ["unpadded base64url", base64url],
    ["base64 with a trailing newline", `${base64}\n`],
  ])("takes the key as %s, writes no file and warns of nothing", async (_, value) => {
    const { logger, lines } = capturingLogger();
    const expected = await masterKeyFromBytes(keyBytes, "env");

    const masterKey = await loadMasterKey({ env: { FERRY_MASTER_KEY: value }, dataDir, logger });

    expect(masterKey).toEqual({ source: "env", id: expected.id });
    expect(lines).toEqual([]);
    await expect(stat(dataDir)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it.each([
    ["empty", ""],
    ["blank", "   "],
    ["a passphrase", "correct horse battery staple sauce"],
    ["31 bytes of base64", Buffer.from(keyBytes.subarray(1)).toString("base64")],
    ["33 bytes of base64", Buffer.concat([keyBytes, Buffer.from([7])]).toString("base64")],
    ["63 hex digits", hex.slice(1)],
    ["65 hex digits", `${hex}a`],
    ["hex with a stray letter", `${hex.slice(0, 63)}g`],
    ["base64 with a stray character", `${base64.slice(0, 10)}*${base64.slice(11)}`],
  ])("refuses %s without echoing it", async (_, value) => {
    const { logger } = capturingLogger();

    const failure = await loadMasterKey({
      env: { FERRY_MASTER_KEY: value },
      dataDir,
      logger,
    }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(MasterKeyInvalidError);
    const message = (failure as Error).message;
    expect(message).toContain("FERRY_MASTER_KEY");
    if (value.trim().length >= 6) {
      for (let start = 0; start + 6 <= value.trim().length; start += 3) {
        expect(message).not.toContain(value.trim().slice(start, start + 6));
      }
    }
    await expect(stat(dataDir)).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("no FERRY_MASTER_KEY", () => {
  it("generates an owner-only key file on first start, warning that it sits by the data", async () => {
    const dataDir = await freshDataDir();
    const { logger, lines } = capturingLogger();

    const masterKey = await loadMasterKey({ env: {}, dataDir, logger });

    const keyFile = join(dataDir, "master.key");
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    const text = await readFile(keyFile, "utf8");
    expect(Buffer.from(text.trim(), "base64url")).toHaveLength(32);
    expect(masterKey.source).toBe("file");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, keyFile, generated: true });
    expect(lines[0]!.msg).toContain("FERRY_MASTER_KEY");
    expect(JSON.stringify(lines)).not.toContain(text.trim());
    expect(await readdir(dataDir)).toEqual(["master.key"]);
  });

  it("reuses the key file on later starts, and still warns", async () => {
    const dataDir = await freshDataDir();
    const first = await loadMasterKey({ env: {}, dataDir, logger: capturingLogger().logger });
    const before = await readFile(join(dataDir, "master.key"), "utf8");
    const { logger, lines } = capturingLogger();

    const second = await loadMasterKey({ env: {}, dataDir, logger });

    expect(second.id).toBe(first.id);
    expect(await readFile(join(dataDir, "master.key"), "utf8")).toBe(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, generated: false });
  });

  it("agrees on one key when several processes start on an empty data folder at once", async () => {
    const dataDir = await freshDataDir();

    const keys = await Promise.all(
      Array.from({ length: 6 }, () =>
        loadMasterKey({ env: {}, dataDir, logger: capturingLogger().logger }),
      ),
    );

    expect(new Set(keys.map((key) => key.id)).size).toBe(1);
    expect(await readdir(dataDir)).toEqual(["master.key"]);
  });

  it("matches the same key given as FERRY_MASTER_KEY, so it can be moved there", async () => {
    const dataDir = await freshDataDir();
    const fromFile = await loadMasterKey({ env: {}, dataDir, logger: capturingLogger().logger });
    const text = await readFile(join(dataDir, "master.key"), "utf8");

    const fromEnv = await loadMasterKey({
      env: { FERRY_MASTER_KEY: text },
      dataDir: await freshDataDir(),
      logger: capturingLogger().logger,
    });

    expect(fromEnv.id).toBe(fromFile.id);
  });

  it.each(["0640", "0604", "0660", "0620"])(
    "refuses a key file with mode %s, naming the fix but not the key",
    async (mode) => {
      const dataDir = await freshDataDir();
      await loadMasterKey({ env: {}, dataDir, logger: capturingLogger().logger });
      const keyFile = join(dataDir, "master.key");
      const text = (await readFile(keyFile, "utf8")).trim();
      await chmod(keyFile, Number.parseInt(mode, 8));

      const failure = await loadMasterKey({
        env: {},
        dataDir,
        logger: capturingLogger().logger,
      }).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(MasterKeyFileInsecureError);
      expect((failure as Error).message).toContain("chmod 600");
      expect((failure as Error).message).not.toContain(text);
    },
  );

  it("refuses a key file that holds no valid key, without echoing it", async () => {
    const dataDir = await freshDataDir();
    await loadMasterKey({ env: {}, dataDir, logger: capturingLogger().logger });
    const keyFile = join(dataDir, "master.key");
    await writeFile(keyFile, "not-a-key-but-maybe-a-password\n", { mode: 0o600 });

    const failure = await loadMasterKey({
      env: {},
      dataDir,
      logger: capturingLogger().logger,
    }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(MasterKeyInvalidError);
    expect((failure as Error).message).toContain(keyFile);
    expect((failure as Error).message).not.toContain("maybe-a-password");
  });
});
