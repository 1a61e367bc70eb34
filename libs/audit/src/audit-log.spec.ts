import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, dataSourceOptions } from '@riposte/persistence';
import { AuditLog, type AuditEntry } from './audit-log.service.js';

/*
 * The chain on a real SQLite file (transactions begun IMMEDIATE: see data-source-options.ts), written by two AuditLogs on two connections (as two processes
 * would, e.g. the service and the CLI): records written alone (one statement checking the head)
 * and in transactions, at once and one by one, always form one unbroken chain.
 */
let dir: string;
const sources: DataSource[] = [];
let a: AuditLog;
let b: AuditLog;
let db: Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'riposte-audit-'));
  const open = async () => {
    const source = await new DataSource(
      dataSourceOptions({ type: 'sqlite', path: join(dir, 'riposte.db') } as never),
    ).initialize();
    sources.push(source);
    return new Database(source);
  };
  db = await open();
  a = new AuditLog(db);
  b = new AuditLog(await open());
});
afterAll(async () => {
  for (const source of sources) await source.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const entry = (n: number): AuditEntry => ({
  actor: 'tester',
  actorRole: 'admin',
  action: 'test.record',
  result: 'success',
  detail: { n },
});

describe(AuditLog.name, () => {
  it('keeps one chain whoever appends, alone or in a transaction, one by one or at once', async () => {
    let n = 0;
    for (let round = 0; round < 5; round++) {
      // One by one from each side: the other side's head is then out of date.
      await a.record(entry(n++));
      await a.record(entry(n++));
      await b.record(entry(n++));
      await a.record(entry(n++));
      // At once (the writer busy: the transactional way), and inside a caller's transaction.
      await Promise.all([a.record(entry(n++)), a.record(entry(n++)), b.record(entry(n++)), b.record(entry(n++))]);
      await db.transaction((m) => a.record(entry(n++), m));
      await a.record(entry(n++));
    }
    // A transaction that rolls back leaves the hint wrong: the next record still links right.
    await expect(
      db.transaction(async (m) => {
        await a.record(entry(-1), m);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await a.record(entry(n++));

    const verdict = await a.verify();
    expect(verdict.ok, JSON.stringify(verdict.firstBroken)).toBe(true);
    expect(verdict.checked).toBe(n);
    const details = (await a.list({ limit: 1000 })).items.map((r) => (r.detail as { n: number }).n);
    expect(details.sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});
