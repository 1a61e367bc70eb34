import sqlite3 from 'sqlite3';
import { join } from 'node:path';
import { fileSize } from './harness.js';

/*
 * The service's SQLite database seen from outside: a separate read-only connection (WAL lets it
 * read while the service writes) for page counts, row counts and bytes per table (the dbstat
 * virtual table), and the sizes of the files on disk. Correctness is never judged from here:
 * only sizes and counts.
 */

export interface DatabaseStats {
  /** Bytes of live pages (page_count - freelist_count) × page_size, WAL content included. */
  usedBytes: number;
  pageSize: number;
  fileBytes: number;
  walBytes: number;
  /** Per table: rows and bytes (the table's b-tree and its indexes' b-trees). */
  tables: Record<string, { rows: number; bytes: number; indexBytes: number }>;
}

export function databasePath(dataDir: string): string {
  return join(dataDir, 'riposte.sqlite');
}

export async function databaseStats(dataDir: string): Promise<DatabaseStats> {
  const path = databasePath(dataDir);
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened = new sqlite3.Database(path, sqlite3.OPEN_READONLY, (error) =>
      error ? reject(error) : resolve(opened),
    );
  });
  const all = <T>(sql: string) =>
    new Promise<T[]>((resolve, reject) =>
      db.all(sql, (error: Error | null, rows: T[]) => (error ? reject(error) : resolve(rows))),
    );
  try {
    await all('PRAGMA busy_timeout = 10000');
    const [pages] = await all<{ page_count: number }>('PRAGMA page_count');
    const [free] = await all<{ freelist_count: number }>('PRAGMA freelist_count');
    const [size] = await all<{ page_size: number }>('PRAGMA page_size');
    const pageSize = size?.page_size ?? 4096;
    const objects = await all<{ name: string; tbl_name: string; type: string }>(
      "SELECT name, tbl_name, type FROM sqlite_master WHERE type IN ('table', 'index')",
    );
    const tables: DatabaseStats['tables'] = {};
    for (const o of objects)
      if (o.type === 'table' && !o.name.startsWith('sqlite_')) tables[o.name] = { rows: 0, bytes: 0, indexBytes: 0 };
    for (const name of Object.keys(tables)) {
      const [row] = await all<{ n: number }>(`SELECT COUNT(*) AS n FROM "${name.replace(/"/g, '""')}"`);
      (tables[name] as { rows: number }).rows = row?.n ?? 0;
    }
    try {
      const owner = new Map(objects.map((o) => [o.name, o]));
      for (const { name, bytes } of await all<{ name: string; bytes: number }>(
        'SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name',
      )) {
        const object = owner.get(name);
        const table = tables[object?.tbl_name ?? name];
        if (!table) continue;
        if (object?.type === 'index') table.indexBytes += bytes;
        else table.bytes += bytes;
      }
    } catch {
      // dbstat not compiled in: rows only
    }
    return {
      usedBytes: ((pages?.page_count ?? 0) - (free?.freelist_count ?? 0)) * pageSize,
      pageSize,
      fileBytes: fileSize(path),
      walBytes: fileSize(`${path}-wal`),
      tables,
    };
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

/** Rows and bytes added per unit between two snapshots, biggest first. */
export function perUnit(
  before: DatabaseStats,
  after: DatabaseStats,
  units: number,
): { bytes: number; tables: { table: string; rows: number; bytes: number }[] } {
  const tables = Object.entries(after.tables)
    .map(([table, t]) => {
      const b = before.tables[table] ?? { rows: 0, bytes: 0, indexBytes: 0 };
      return {
        table,
        rows: (t.rows - b.rows) / units,
        bytes: (t.bytes + t.indexBytes - b.bytes - b.indexBytes) / units,
      };
    })
    .filter((t) => t.rows !== 0 || t.bytes !== 0)
    .sort((a, b) => b.bytes - a.bytes);
  return { bytes: (after.usedBytes - before.usedBytes) / units, tables };
}
