import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { DataSource, DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@riposte/config';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';

/*
 * The sqlite3 driver as TypeORM gets it:
 * - TypeORM calls `sqlite3.verbose()`, which makes the driver build an Error and format the SQL
 *   on every statement (for long stack traces): about a seventh of the service's CPU under load.
 *   `verbose()` returns the driver as it is.
 * - TypeORM opens its transactions with `BEGIN TRANSACTION`, which takes the write lock only at
 *   the first write. A transaction that reads first (the audit chain's head) and then writes,
 *   while another process (the CLI) committed in between, then fails at once with SQLITE_BUSY:
 *   SQLite cannot upgrade a read snapshot that is out of date, and does not wait for it. Begun
 *   IMMEDIATE, a transaction takes the write lock first, waiting for it up to the busy timeout.
 *   The service has one writing connection: within it, nothing waits more than before.
 */
type Sqlite3 = { verbose(): unknown; Database: new (...args: never[]) => SqliteConnectionLike };
type SqliteConnectionLike = {
  all(sql: string, ...rest: unknown[]): unknown;
  run(sql: string, ...rest: unknown[]): unknown;
};
const sqlite3 = createRequire(import.meta.url)('sqlite3') as Sqlite3;
const immediate = (sql: string) => (sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql);
class ImmediateDatabase extends sqlite3.Database {
  override all(sql: string, ...rest: unknown[]): unknown {
    return super.all(immediate(sql), ...rest);
  }
  override run(sql: string, ...rest: unknown[]): unknown {
    return super.run(immediate(sql), ...rest);
  }
}
const DRIVER = Object.assign(Object.create(sqlite3) as object, { Database: ImmediateDatabase });
const QUIET_SQLITE3 = Object.assign(Object.create(sqlite3) as object, { verbose: () => DRIVER });

export function dataSourceOptions(database: AppConfig['database']): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    logging: false,
  } as const;
  if (database.type === 'postgres') {
    // Migrations run after the connection is open, under a lock (see `migrate`): nodes that start
    // together must not both create the same tables.
    // The pool bounds the transactions in flight: runs wait for a connection, not for each other.
    return { ...common, migrationsRun: false, type: 'postgres', url: database.url, poolSize: database.poolSize };
  }
  return {
    ...common,
    type: 'sqlite',
    database: database.path,
    enableWAL: true,
    busyTimeout: 10_000,
    driver: QUIET_SQLITE3,
  };
}

/** A second SQLite connection for reads (none on PostgreSQL, whose pool serves both). */
export function readerOptions(database: AppConfig['database']): DataSourceOptions | undefined {
  if (database.type !== 'sqlite') return undefined;
  return {
    type: 'sqlite',
    name: 'reader',
    database: database.path,
    entities: ENTITIES,
    enableWAL: true,
    busyTimeout: 10_000,
    driver: QUIET_SQLITE3,
    logging: false,
    synchronize: false,
    migrationsRun: false,
  };
}

/**
 * PostgreSQL: runs the pending migrations while holding a session advisory lock, so that of
 * several processes starting on one database (a cluster's nodes, the CLI) one migrates and the
 * others wait, then find nothing left to do. All pending migrations go in one transaction: a
 * failed upgrade leaves the schema as it was. (SQLite migrates as the connection opens.)
 */
export async function migrate(dataSource: DataSource): Promise<void> {
  if (dataSource.options.type !== 'postgres') return;
  const session = dataSource.createQueryRunner();
  try {
    await session.connect();
    await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await dataSource.runMigrations({ transaction: 'all' });
    } finally {
      await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await session.release();
  }
}

/** The advisory lock key of migrations, the same in every version of the service: 'RIPOSTE' read as an integer. */
const MIGRATION_LOCK = '23161557367346245';

/** Settings applied on every SQLite connection once it is open. */
export async function tuneConnection(dataSource: {
  options: DataSourceOptions;
  query(sql: string): Promise<unknown>;
}): Promise<void> {
  if (dataSource.options.type !== 'sqlite') return;
  // WAL with synchronous=NORMAL is durable across process crashes (the crash tests rely on it);
  // only a power loss can drop the last commits.
  await dataSource.query('PRAGMA synchronous = NORMAL');
}

/**
 * The database holds encrypted secrets, key hashes and the audit trail: its files get the same
 * care as the key file. Created 0600 before SQLite opens it (its -wal and -shm files take the
 * database file's mode), and files left more open by an older version are closed down.
 */
export function secureSqliteFiles(database: AppConfig['database']): void {
  if (database.type !== 'sqlite' || database.path === ':memory:') return;
  const dir = dirname(database.path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(database.path)) closeSync(openSync(database.path, 'a', 0o600));
  for (const file of [database.path, `${database.path}-wal`, `${database.path}-shm`, `${database.path}-journal`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}
