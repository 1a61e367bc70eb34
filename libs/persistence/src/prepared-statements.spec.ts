import type { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from './database.js';
import { dataSourceOptions } from './data-source-options.js';

/* The hot path's prepared statements against a real SQLite database (the migrations build its schema). */
let dir: string;
let dataSource: DataSource;
let db: Database;
let prepares = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'riposte-prepared-'));
  dataSource = await new DataSource(
    dataSourceOptions({ type: 'sqlite', path: join(dir, 'riposte.db') } as never),
  ).initialize();
  db = new Database(dataSource);
  // Counts what the driver is asked to prepare on this connection (the binding itself is not replaced).
  const connection = (dataSource.driver as unknown as { databaseConnection: { prepare: (...a: unknown[]) => unknown } })
    .databaseConnection;
  const prepare = connection.prepare.bind(connection);
  connection.prepare = (...args: unknown[]) => {
    prepares += 1;
    return prepare(...args);
  };
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

const INSERT =
  'INSERT INTO settings (key, value, "updatedAt") VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value';

describe('Database.run / Database.all (prepared once per connection)', () => {
  it('writes in a transaction with $n parameters, reports the rows changed, and prepares each text once', async () => {
    const before = prepares;
    for (let i = 0; i < 5; i++)
      expect(await db.transaction((m) => db.run(m, INSERT, [`k${i}`, `"v${i}"`, '2026-12-05T00:00:00.000Z']))).toBe(1);
    expect(prepares - before).toBe(1);
    const changed = await db.transaction((m) =>
      db.run(m, 'UPDATE settings SET value = $1 WHERE key LIKE $2', ['"x"', 'k%']),
    );
    expect(changed).toBe(5);
    const rows = await db.all<{ key: string; value: string }>(
      db.reader,
      'SELECT key, value FROM settings WHERE key LIKE $1 ORDER BY key',
      ['k%'],
    );
    expect(rows.map((r) => [r.key, r.value])).toEqual([0, 1, 2, 3, 4].map((i) => [`k${i}`, '"x"']));
  });

  it('returns the rows of a write with RETURNING, and rolls back with its transaction', async () => {
    const failed = db.transaction(async (m) => {
      const rows = await db.all<{ key: string }>(m, `${INSERT} RETURNING key`, ['r1', '1', '2026-12-05T00:00:00.000Z']);
      expect(rows).toEqual([{ key: 'r1' }]);
      throw new Error('roll back');
    });
    await expect(failed).rejects.toThrow('roll back');
    expect(await db.all(db.reader, 'SELECT key FROM settings WHERE key = $1', ['r1'])).toEqual([]);
  });

  it('reports a statement that does not prepare, every time, and keeps working', async () => {
    await expect(db.all(db.reader, 'SELECT nope FROM nowhere', [])).rejects.toThrow(/no such table/);
    await expect(db.all(db.reader, 'SELECT nope FROM nowhere', [])).rejects.toThrow(/no such table/);
    expect(await db.all(db.reader, 'SELECT COUNT(*) AS n FROM settings WHERE key = $1', ['k1'])).toEqual([{ n: 1 }]);
  });

  it('runs a statement alone as its own transaction, in order with the transactions around it', async () => {
    const now = '2026-12-05T00:00:00.000Z';
    const value = async () =>
      (await db.all<{ value: string }>(db.reader, 'SELECT value FROM settings WHERE key = $1', ['o']))[0]?.value;
    // The writer idle: the statement goes straight to the driver, and is committed when it resolves.
    expect(await db.runAlone(INSERT, ['o', '"1"', now])).toBe(1);
    expect(await value()).toBe('"1"');
    // Asked for while a transaction is being written: it waits its turn, and so does what comes after it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = db.transaction(async (m) => {
      await held;
      return db.run(m, INSERT, ['o', '"2"', now]);
    });
    const alone = db.runAlone(INSERT, ['o', '"3"', now]);
    const last = db.transaction((m) => db.run(m, INSERT, ['o', '"4"', now]));
    release();
    expect(await Promise.all([first, alone, last])).toEqual([1, 1, 1]);
    expect(await value()).toBe('"4"');
    // A transaction asked for while a statement runs alone comes right after it.
    const direct = db.runAlone(INSERT, ['o', '"5"', now]);
    const after = db.transaction((m) => db.run(m, INSERT, ['o', '"6"', now]));
    expect(await Promise.all([direct, after])).toEqual([1, 1]);
    expect(await value()).toBe('"6"');
    // A statement that fails alone fails alone.
    await expect(db.runAlone('INSERT INTO settings (key) VALUES ($1)', ['o'])).rejects.toThrow(/constraint/i);
    expect(await db.runAlone(INSERT, ['o', '"7"', now])).toBe(1);
    expect(await value()).toBe('"7"');
  });

  it('sends a statement that waited alone behind another write without BEGIN and COMMIT around it', async () => {
    const now = '2026-12-05T00:00:00.000Z';
    const connection = (dataSource.driver as unknown as { databaseConnection: EventEmitter }).databaseConnection;
    const traced: string[] = [];
    const listen = (sql: string) => traced.push(sql);
    connection.on('trace', listen);
    const direct = db.runAlone(INSERT, ['w', '"1"', now]);
    const waited = db.runAlone(INSERT, ['w', '"2"', now]);
    expect(await Promise.all([direct, waited])).toEqual([1, 1]);
    // Of the next three, the first goes straight to the driver and the two others wait together.
    const next = [INSERT, INSERT, INSERT].map((sql, i) => db.runAlone(sql, ['w', `"${i + 3}"`, now]));
    expect(await Promise.all(next)).toEqual([1, 1, 1]);
    connection.off('trace', listen);
    expect(traced.filter((sql) => sql.startsWith('INSERT INTO settings'))).toHaveLength(5);
    // Only the two that waited together needed a transaction.
    expect(traced.filter((sql) => /^BEGIN/.test(sql))).toHaveLength(1);
    expect(
      (await db.all<{ value: string }>(db.reader, 'SELECT value FROM settings WHERE key = $1', ['w']))[0]?.value,
    ).toBe('"5"');
  });

  it('lets the connection close with its statements prepared (they are finalized first)', async () => {
    await dataSource.destroy();
    expect(dataSource.isInitialized).toBe(false);
  });
});
