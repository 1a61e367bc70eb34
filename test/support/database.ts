import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import pg from 'pg';

/**
 * The store the end-to-end tests run on: SQLite (default) or PostgreSQL, chosen by
 * RIPOSTE_TEST_DATABASE=postgres. On PostgreSQL every service's data folder gets a schema of its
 * own (named after the folder), created before the service starts and dropped after, so test
 * files run in parallel without seeing each other's rows, and a restart on the same folder finds
 * its data again, as it would in the SQLite file.
 */
export const TEST_STORE: 'sqlite' | 'postgres' =
  process.env.RIPOSTE_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
export const TEST_POSTGRES_URL = process.env.RIPOSTE_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Every schema made by one `vitest run` starts with this (the global setup picks the run's id),
 * so its teardown drops its own leftovers and never those of another run on the same server.
 */
export const schemaPrefix = (): string => `riposte_e2e_${process.env.RIPOSTE_TEST_RUN_ID ?? 'x'}_`;

export function schemaFor(dataDir: string): string {
  return `${schemaPrefix()}${basename(dataDir)
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

/** One statement on the test server's admin connection. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  values: unknown[] = [],
  searchPath?: string,
): Promise<R[]> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    if (searchPath) await client.query(`SET search_path TO ${pg.escapeIdentifier(searchPath)}`);
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * The settings that point a service (in process, a child process or the CLI) at the store of
 * `dataDir`; on PostgreSQL the schema is created if it is not there yet.
 */
export async function databaseEnv(dataDir: string): Promise<Record<string, string>> {
  if (TEST_STORE === 'sqlite') return {};
  const schema = schemaFor(dataDir);
  await adminQuery(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  // The suite runs many services at once on one server (max_connections 100 by default): each
  // keeps a small pool, as the README asks of a cluster (the sum under max_connections).
  return { RIPOSTE_DATABASE_URL: url.toString(), RIPOSTE_DATABASE_POOL_SIZE: '8' };
}

/** Drops the PostgreSQL schema of `dataDir` (nothing to do on SQLite: the folder holds the file). */
export async function dropDatabase(dataDir: string): Promise<void> {
  if (TEST_STORE === 'sqlite') return;
  await adminQuery(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schemaFor(dataDir))} CASCADE`);
}

/** Runs SQL against the store of `dataDir` behind the service's back (to tamper with it). */
export async function execSql(dataDir: string, sql: string): Promise<void> {
  if (TEST_STORE === 'postgres') {
    await adminQuery(sql, [], schemaFor(dataDir));
    return;
  }
  const sqlite3 = (await import('sqlite3')).default;
  const db = new sqlite3.Database(join(dataDir, 'riposte.sqlite'));
  try {
    await new Promise<void>((resolve, reject) =>
      db.run(sql, (error: Error | null) => (error ? reject(error) : resolve())),
    );
  } finally {
    await new Promise((resolve) => db.close(resolve));
  }
}

/**
 * Everything the store holds for `dataDir`, as text to search for secrets: the SQLite files'
 * bytes (WAL included), or every row of every table of the PostgreSQL schema.
 */
export async function storedText(dataDir: string): Promise<{ what: string; text: string }[]> {
  if (TEST_STORE === 'sqlite') {
    return readdirSync(dataDir)
      .filter((f) => f.startsWith('riposte.sqlite'))
      .map((f) => ({ what: `file ${f}`, text: readFileSync(join(dataDir, f)).toString('latin1') }));
  }
  const schema = schemaFor(dataDir);
  const tables = await adminQuery<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1`,
    [schema],
  );
  const dumps: { what: string; text: string }[] = [];
  for (const { table_name } of tables) {
    const rows = await adminQuery(`SELECT * FROM ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table_name)}`);
    dumps.push({ what: `table ${table_name}`, text: JSON.stringify(rows) });
  }
  return dumps;
}

/** Drops every schema the tests made (the global teardown's safety net for failed tests). */
export async function dropTestSchemas(): Promise<void> {
  const schemas = await adminQuery<{ nspname: string }>(
    `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`,
    [schemaPrefix()],
  );
  for (const { nspname } of schemas) await adminQuery(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(nspname)} CASCADE`);
}
