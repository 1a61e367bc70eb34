import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@riposte/config';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';

export function dataSourceOptions(database: AppConfig['database']): DataSourceOptions {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, migrationsRun: true, synchronize: false, logging: false } as const;
  if (database.type === 'postgres') {
    return { ...common, type: 'postgres', url: database.url };
  }
  return { ...common, type: 'sqlite', database: database.path, enableWAL: true, busyTimeout: 10_000 };
}

/** Settings applied on every SQLite connection once it is open. */
export async function tuneConnection(dataSource: { options: DataSourceOptions; query(sql: string): Promise<unknown> }): Promise<void> {
  if (dataSource.options.type !== 'sqlite') return;
  // WAL with synchronous=NORMAL is durable across process crashes (the crash tests rely on it);
  // only a power loss can drop the last commits.
  await dataSource.query('PRAGMA synchronous = NORMAL');
}
