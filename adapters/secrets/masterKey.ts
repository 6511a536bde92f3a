/**
 * Where the master key comes from at start: `FERRY_MASTER_KEY`, or else a
 * key file in the data folder, generated on first start. The file makes a
 * one-command start work, but it lives next to the data it protects, so
 * every start on it says so at `warn`.
 */
import { link, mkdir, open, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { MasterKeyFileInsecureError, MasterKeyInvalidError } from "./errors.ts";
import { randomBytes, toBase64Url, type Bytes } from "./encoding.ts";
import { MASTER_KEY_BYTES, masterKeyFromBytes, type MasterKey } from "./deriveKeys.ts";
import { parseMasterKey } from "./parseMasterKey.ts";

export const MASTER_KEY_ENV = "FERRY_MASTER_KEY";
export const MASTER_KEY_FILE = "master.key";

/** The part of a pino logger this needs. */
export type { MasterKey } from "./deriveKeys.ts";

export type WarnLogger = { warn(obj: Record<string, unknown>, msg: string): void };

export type LoadMasterKeyOptions = {
  env: Record<string, string | undefined>;
  /** The data folder (`FERRY_DATA_DIR`); the key file is `{dataDir}/master.key`. */
  dataDir: string;
  logger: WarnLogger;
};

/**
 * Loads the master key: from `FERRY_MASTER_KEY` when the variable is set
 * (even to an empty string, which is refused rather than silently replaced
 * by a generated key), else from `{dataDir}/master.key`, which is created
 * with mode 0600 when missing.
 *
 * @throws MasterKeyInvalidError when the variable or the file does not hold a 32-byte key.
 * @throws MasterKeyFileInsecureError when the key file is open to group or others.
 * @example
 * const masterKey = await loadMasterKey({ env: process.env, dataDir: config.dataDir, logger });
 */
export const loadMasterKey = async ({
  env,
  dataDir,
  logger,
}: LoadMasterKeyOptions): Promise<MasterKey> => {
  const fromEnv = env[MASTER_KEY_ENV];
  if (fromEnv !== undefined) return useBytes(parseMasterKey(fromEnv, MASTER_KEY_ENV), "env");

  const keyFile = join(dataDir, MASTER_KEY_FILE);
  const generated = await createKeyFileIfMissing(dataDir, keyFile);
  const bytes = await readKeyFile(keyFile);
  logger.warn(
    { keyFile, generated },
    `the master key ${generated ? "was generated in" : "is read from"} the data folder, next to ` +
      `the data it protects; for production, move it to ${MASTER_KEY_ENV} and delete the file`,
  );
  return useBytes(bytes, "file");
};

const useBytes = async (bytes: Bytes, source: MasterKey["source"]): Promise<MasterKey> => {
  try {
    return await masterKeyFromBytes(bytes, source);
  } finally {
    bytes.fill(0);
  }
};

/**
 * Writes a fresh key to a private temporary file and links it into place:
 * `link` fails when the name exists, so two processes starting together on
 * one data folder agree on one key, and no reader ever sees a half-written
 * file. Answers whether this call created the key.
 */
const createKeyFileIfMissing = async (dataDir: string, keyFile: string): Promise<boolean> => {
  if (await exists(keyFile)) return false;

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const temporary = join(
    dataDir,
    `.${MASTER_KEY_FILE}.${process.pid}.${toBase64Url(randomBytes(6))}`,
  );
  const handle = await open(temporary, "wx", 0o600);
  try {
    await handle.writeFile(`${toBase64Url(randomBytes(MASTER_KEY_BYTES))}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }

  try {
    await link(temporary, keyFile);
    return true;
  } catch (error) {
    if (isErrno(error, "EEXIST")) return false;
    throw error;
  } finally {
    await unlink(temporary);
  }
};

const readKeyFile = async (keyFile: string): Promise<Bytes> => {
  const info = await stat(keyFile);

  if (!info.isFile()) throw new MasterKeyInvalidError(`${keyFile} is not a regular file`);
  // POSIX permission bits mean nothing on Windows, where access is by ACL.
  if (process.platform !== "win32" && (info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, "0");
    throw new MasterKeyFileInsecureError(
      `${keyFile} is accessible to group or others (mode ${mode}); ` +
        `run \`chmod 600 ${keyFile}\` or set ${MASTER_KEY_ENV}`,
    );
  }

  return parseMasterKey(await readFile(keyFile, "utf8"), keyFile);
};

const exists = async (path: string): Promise<boolean> => {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isErrno(error, "ENOENT")) return false;
    throw error;
  }
};

const isErrno = (error: unknown, code: string): boolean =>
  error instanceof Error && (error as NodeJS.ErrnoException).code === code;
