/**
 * Opens everything a Ferry process stands on: the store (server Postgres
 * when DATABASE_URL is set, else embedded PGlite in the data folder), the
 * migrations, the master key and secret box, and the live configuration.
 */
import { mkdir } from "node:fs/promises";
import { createSqlEventStore } from "../../adapters/eventStore/createSqlEventStore.ts";
import { openPGlite } from "../../adapters/pglite/openPGlite.ts";
import { openPostgres } from "../../adapters/postgres/openPostgres.ts";
import { createKeyedHasher } from "../../adapters/secrets/keyedHasher.ts";
import { loadMasterKey } from "../../adapters/secrets/masterKey.ts";
import { createSecretBox, type SecretBox } from "../../adapters/secrets/secretBox.ts";
import { migrate } from "../../adapters/sql/migrate.ts";
import type { SqlClient } from "../../adapters/sql/sqlClient.ts";
import type { EventStore } from "../../core/eventStore/eventStore.ts";
import type { FerryConfig } from "./config.ts";
import { lockDataDir } from "./dataDirLock.ts";
import { startLiveConfig, type LiveConfig } from "./liveConfig.ts";
import type { Logger } from "./logger.ts";

export type Ferry = {
  config: FerryConfig;
  logger: Logger;
  sql: SqlClient;
  store: EventStore;
  secrets: SecretBox;
  hash(value: string): string;
  fingerprint(value: string): string;
  live: LiveConfig;
  close(): Promise<void>;
};

/**
 * `options.sql` hands in a store that is already open (tests share one per
 * process); Ferry then leaves closing it to the caller.
 */
export const openFerry = async (
  config: FerryConfig,
  logger: Logger,
  options: { sql?: SqlClient } = {},
): Promise<Ferry> => {
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const external = options.sql;
  const unlock =
    config.databaseUrl || external ? async () => {} : await lockDataDir(config.dataDir);
  let sql: SqlClient;
  try {
    sql =
      external ??
      (config.databaseUrl
        ? await openPostgres({ connectionString: config.databaseUrl })
        : await openPGlite({ dataDir: `${config.dataDir}/store` }));
  } catch (error) {
    await unlock();
    throw error;
  }
  const closeSql = () => (external ? Promise.resolve() : sql.close());
  try {
    await migrate(sql);
    const masterKey = await loadMasterKey({
      env: { FERRY_MASTER_KEY: config.masterKey },
      dataDir: config.dataDir,
      logger,
    });
    const hasher = createKeyedHasher(masterKey);
    const secrets = createSecretBox({ sql, masterKey });
    const store = createSqlEventStore(sql);
    const live = await startLiveConfig({
      store,
      openSealed: (clientId, sealed) => secrets.open(clientId, sealed),
      forgetClient: (clientId) => secrets.forget(clientId),
      logger,
    });
    return {
      config,
      logger,
      sql,
      store,
      secrets,
      hash: (value) => hasher.hash(value),
      fingerprint: (value) => hasher.fingerprint(value),
      live,
      close: async () => {
        await live.close();
        await store.close();
        await closeSql();
        await unlock();
      },
    };
  } catch (error) {
    await closeSql();
    await unlock();
    throw error;
  }
};
