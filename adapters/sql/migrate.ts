import { readdir, readFile } from "node:fs/promises";
import type { SqlClient, SqlExecutor } from "./sqlClient.ts";

/**
 * Migration files: `NNN_name.sql`, applied in version order. Each starts with
 * a header comment saying what it serves and what lock it takes.
 */
const migrationFile = /^(\d{3})_[a-z0-9_]+\.sql$/;

const defaultDirectory = new URL("./migrations/", import.meta.url);

const createMigrationsTable = `
  CREATE TABLE IF NOT EXISTS ferry_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;

/*
 * Two processes starting at once against one Postgres both run `migrate`: the
 * transaction-scoped advisory lock makes the second wait, then see the first
 * one's rows and apply nothing. The key includes the schema, so test schemas
 * do not wait on each other.
 */
const takeMigrationLock = `
  SELECT pg_advisory_xact_lock(hashtext('ferry_migrations'), hashtext(current_schema()))`;

type Migration = { version: number; name: string; url: URL };

/**
 * Applies every migration file not yet recorded in `ferry_migrations`, in one
 * transaction under an advisory lock, and answers the names it applied.
 * Files keep arriving from other features (`002_…`); they are picked up by
 * name. A migration that cannot run in a transaction (`CREATE INDEX
 * CONCURRENTLY`) does not fit this runner.
 *
 * @example
 * const applied = await migrate(sql); // ["001_event_store.sql"] on a new database
 */
export async function migrate(
  sql: SqlClient,
  options: { directory?: URL } = {},
): Promise<string[]> {
  const migrations = await listMigrations(options.directory ?? defaultDirectory);

  return sql.transaction(async (tx) => {
    await tx.query(takeMigrationLock);
    await tx.query(createMigrationsTable);
    const applied = await appliedVersions(tx);

    const pending = migrations.filter((migration) => !applied.has(migration.version));
    for (const migration of pending) {
      await tx.exec(await readFile(migration.url, "utf8"));
      await tx.query("INSERT INTO ferry_migrations (version, name) VALUES ($1, $2)", [
        migration.version,
        migration.name,
      ]);
    }

    return pending.map((migration) => migration.name);
  });
}

async function listMigrations(directory: URL): Promise<Migration[]> {
  const names = await readdir(directory);

  const migrations = names.flatMap((name) => {
    const match = migrationFile.exec(name);
    return match?.[1] === undefined
      ? []
      : [{ version: Number(match[1]), name, url: new URL(name, directory) }];
  });
  migrations.sort((a, b) => a.version - b.version);

  const duplicate = migrations.find((m, i) => migrations[i + 1]?.version === m.version);
  if (duplicate !== undefined) {
    throw new Error(`two migration files share version ${duplicate.version}`);
  }

  return migrations;
}

async function appliedVersions(tx: SqlExecutor): Promise<Set<number>> {
  const { rows } = await tx.query<{ version: number }>("SELECT version FROM ferry_migrations");
  return new Set(rows.map((row) => row.version));
}
