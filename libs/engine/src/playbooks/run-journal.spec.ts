import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CarriedSettle } from '@riposte/actions';
import { AuditLog } from '@riposte/audit';
import { Database, dataSourceOptions, nowIso } from '@riposte/persistence';
import { RunStore, StaleRun } from '../run-store.js';
import { RunJournal } from './run-journal.js';
import { analystRun } from '../../../../test/support/runs.js';

/*
 * The journal's writes carrying effects' settles and their audit records (JournalSettles1765010200000),
 * on a real SQLite file with a second connection appending to the audit chain as the CLI would:
 * whichever way a write goes (alone, or in a transaction when the chain's head moved or with a
 * transition), the effect is settled and its record is in the chain, in order; a write the
 * claim's fence refuses settles nothing and records nothing.
 */
let dir: string;
const sources: DataSource[] = [];
let db: Database;
let store: RunStore;
let audit: AuditLog;
let other: AuditLog;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'riposte-journal-'));
  const open = async () => {
    const source = await new DataSource(
      dataSourceOptions({ type: 'sqlite', path: join(dir, 'riposte.db') } as never),
    ).initialize();
    sources.push(source);
    return new Database(source);
  };
  db = await open();
  store = new RunStore(db);
  audit = new AuditLog(db);
  other = new AuditLog(await open());
});
afterAll(async () => {
  for (const source of sources) await source.destroy();
  rmSync(dir, { recursive: true, force: true });
});

async function claimedRun() {
  const run = await store.create(analystRun('playbook'), []);
  const lease = (await store.claim(run.id))!;
  const journal = new RunJournal(db, store, audit, lease, false, () => 'azure_ad.disable_user');
  await journal.open(undefined, true);
  return { run, lease, journal };
}

/** An intent, as the effect ledger writes it before the call. */
async function intended(runId: string, stepKey: string): Promise<string> {
  const id = randomUUID();
  await db.transaction((m) =>
    db.run(
      m,
      `INSERT INTO effects (id, "runId", "stepKey", action, "connectionTarget", entity, status, "intendedAt")
       VALUES ($1, $2, $3, 'azure_ad.disable_user', 'contoso', $4, 'intended', $5)`,
      [id, runId, stepKey, `user-${stepKey}`, nowIso()],
    ),
  );
  return id;
}

function settle(effectId: string, runId: string, stepKey: string, n: number): CarriedSettle {
  return {
    effectId,
    stepKey,
    status: n % 2 ? 'failed' : 'succeeded',
    detail: n % 2 ? { error: { code: 'AZURE_FORBIDDEN' } } : { output: { n } },
    settledAt: nowIso(),
    audit: {
      actor: 'test',
      actorRole: 'analyst',
      action: 'action.azure_ad.disable_user',
      result: n % 2 ? 'failure' : 'success',
      runId,
      detail: { n },
    },
  };
}

const effectsOf = (runId: string) =>
  db.all<{ stepKey: string; status: string; detail: string | null; settledAt: string | null; audit: string | null }>(
    db.reader,
    'SELECT "stepKey", status, detail, "settledAt", audit FROM effects WHERE "runId" = $1 ORDER BY "stepKey"',
    [runId],
  );
const recordsOf = async (runId: string) =>
  (await audit.list({ limit: 1000, runId })).items.map((r) => (r.detail as { n: number }).n).sort((x, y) => x - y);

describe('RunJournal carrying settles', () => {
  it('settles the effects and appends their records with its next write, alone or in a transaction', async () => {
    const { run, journal, lease } = await claimedRun();
    const ids = [];
    for (const key of ['a', 'b', 'c', 'd', 'e']) ids.push(await intended(run.id, key));
    await audit.record({ actor: 'test', actorRole: 'admin', action: 'test.start', result: 'success' });

    // Alone: the writer idle, the head known.
    journal.carry(settle(ids[0]!, run.id, 'a', 0));
    journal.carry(settle(ids[1]!, run.id, 'b', 1));
    expect(journal.settling('a')).toBe(true);
    await journal.flush();
    expect(journal.settling('a')).toBe(false);
    // The head moved (another process appended): the write takes the transactional way.
    await other.record({ actor: 'cli', actorRole: 'admin', action: 'test.other', result: 'success' });
    journal.carry(settle(ids[2]!, run.id, 'c', 2));
    await journal.flush();
    // Several at once with the writer busy.
    journal.carry(settle(ids[3]!, run.id, 'd', 3));
    await Promise.all([
      journal.flush(),
      other.record({ actor: 'cli', actorRole: 'admin', action: 'x', result: 'success' }),
    ]);
    // With the run's transition (its end).
    journal.carry(settle(ids[4]!, run.id, 'e', 4));
    await journal.close((m, written) => store.transition(m, lease, 'succeeded', written));

    const effects = await effectsOf(run.id);
    expect(effects.map((e) => e.status)).toEqual(['succeeded', 'failed', 'succeeded', 'failed', 'succeeded']);
    expect(effects.every((e) => e.settledAt !== null && e.audit === null)).toBe(true);
    expect(JSON.parse(effects[0]!.detail!)).toEqual({ output: { n: 0 } });
    expect(JSON.parse(effects[1]!.detail!)).toEqual({ error: { code: 'AZURE_FORBIDDEN' } });
    expect(await recordsOf(run.id)).toEqual([0, 1, 2, 3, 4]);
    const verdict = await audit.verify();
    expect(verdict.ok, JSON.stringify(verdict.firstBroken)).toBe(true);
    expect((await store.find(run.id))?.status).toBe('succeeded');
  });

  it('settles nothing and records nothing when the claim no longer holds', async () => {
    const { run, journal } = await claimedRun();
    const id = await intended(run.id, 'a');
    await store.releaseAll();
    expect(await store.claim(run.id)).not.toBeNull();
    journal.carry(settle(id, run.id, 'a', 0));
    await expect(journal.flush()).rejects.toBeInstanceOf(StaleRun);
    const [effect] = await effectsOf(run.id);
    expect(effect?.status).toBe('intended');
    expect(effect?.settledAt).toBeNull();
    expect(await recordsOf(run.id)).toEqual([]);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('marks a run created claimed running with its first write, or starts it with its first transition', async () => {
    const create = () =>
      store.create(
        { ...analystRun('playbook'), triggerType: 'alert', triggerRole: 'ingest' },
        [],
        undefined,
        randomUUID(),
      );
    const first = await create();
    const journal = new RunJournal(
      db,
      store,
      audit,
      store.createdClaimed(first, first.leaseOwner!).lease,
      false,
      () => null,
    );
    await journal.open(undefined, true);
    journal.markRunning();
    await journal.flush();
    expect(await store.find(first.id)).toMatchObject({ status: 'running', startedAt: expect.any(String) });

    const second = await create();
    const { lease } = store.createdClaimed(second, second.leaseOwner!);
    const ending = new RunJournal(db, store, audit, lease, false, () => null);
    await ending.open(undefined, true);
    ending.markRunning();
    await ending.close((m, written) => store.transition(m, lease, 'succeeded', written));
    expect(await store.find(second.id)).toMatchObject({ status: 'succeeded', startedAt: expect.any(String) });
  });
});
