import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, dataSourceOptions, RunEntity, RunInboxEntity } from '@riposte/persistence';
import { neverDriven, RunStore, StaleRun } from './run-store.js';
import { analystRun } from '../../../test/support/runs.js';

/* The run repository against a real SQLite database (the migrations build its schema). */
let dir: string;
let dataSource: DataSource;
let store: RunStore;
let db: Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'riposte-run-store-'));
  dataSource = await new DataSource(
    dataSourceOptions({ type: 'sqlite', path: join(dir, 'riposte.db') } as never),
  ).initialize();
  db = new Database(dataSource);
  store = new RunStore(db);
});
afterAll(async () => {
  await dataSource?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** A simple response's run; `claimFor`: created claimed under this token. */
const newRun = (claimFor?: string) =>
  store.create(
    analystRun('response'),
    [{ stepKey: 'response', action: 'azure_ad.get_user', input: {} }],
    undefined,
    claimFor,
  );

describe('RunStore claims and fenced writes', () => {
  it('gives a run to one driver at a time, also when two ask at once', async () => {
    const run = await newRun();
    const claims = await Promise.all([store.claim(run.id), store.claim(run.id), store.claim(run.id)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    const lease = claims.find(Boolean)!;
    expect(await store.claim(run.id)).toBeNull();
    await store.park(lease, null, null);
    // Parked: the claim is let go, the next wake-up may take it.
    expect(await store.claim(run.id)).not.toBeNull();
  });

  it("refuses a stale driver's transition: exactly one row under its token, or StaleRun and nothing written", async () => {
    const run = await newRun();
    const first = (await store.claim(run.id))!;
    await store.setRunStatus(first, 'running');
    // The first driver's claim is lost (a restart let it go) and a second driver takes the run.
    await store.releaseAll();
    const second = (await store.claim(run.id))!;
    await expect(store.setRunStatus(first, 'succeeded', { output: { stale: true } })).rejects.toBeInstanceOf(StaleRun);
    await expect(store.park(first, null, null)).rejects.toBeInstanceOf(StaleRun);
    const row = (await store.find(run.id))!;
    expect(row).toMatchObject({ status: 'running', output: null, leaseOwner: second.token });
    const before = row.version;
    await store.setRunStatus(second, 'failed', { error: { code: 'x', message: 'y' } });
    const ended = (await store.find(run.id))!;
    expect(ended).toMatchObject({ status: 'failed', leaseOwner: null, version: before + 1 });
    // An ended run cannot be claimed again.
    expect(await store.claim(run.id)).toBeNull();
  });

  it('keeps one decision per approval step, and one notice per child end', async () => {
    const run = await newRun();
    const decide = () =>
      db.transaction((m) =>
        store.deliver(m, run.id, { type: 'riposte.approval', step: 'ok', decision: 'approve' }, 'approval:ok', 'fail'),
      );
    const results = await Promise.allSettled([decide(), decide()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(Database.isUniqueViolation(refused.reason)).toBe(true);
    await db.transaction((m) => store.deliver(m, run.id, { type: 'riposte.child' }, 'child:c1'));
    await db.transaction((m) => store.deliver(m, run.id, { type: 'riposte.child' }, 'child:c1'));
    expect(await db.reader.count(RunInboxEntity, { where: { runId: run.id } })).toBe(2);
  });

  it("writes a child's end to its parent's inbox with the end itself", async () => {
    const parent = await newRun();
    const child = await store.create(
      { ...analystRun('playbook'), triggerType: 'playbook', parentRunId: parent.id, parentStepKey: 'sub' },
      [],
    );
    const lease = (await store.claim(child.id))!;
    await store.setRunStatus(lease, 'succeeded', { output: {} }, { parentRunId: parent.id });
    const inbox = await db.reader.find(RunInboxEntity, { where: { runId: parent.id } });
    expect(inbox.map((i) => i.event)).toEqual([{ type: 'riposte.child', runId: child.id, status: 'succeeded' }]);
    expect(await db.reader.findOne(RunEntity, { where: { id: child.id } })).toMatchObject({
      status: 'succeeded',
      wakeAt: null,
      waits: null,
    });
  });

  it('claims a run to drive it, marks it running and reads it in one statement; only its first claim is "never driven"', async () => {
    const run = await newRun();
    const first = (await store.claimToDrive(run.id))!;
    expect(first.run).toMatchObject({ id: run.id, status: 'running', dryRun: false, leaseOwner: first.lease.token });
    expect(first.run.startedAt).not.toBeNull();
    expect(neverDriven(first.run)).toBe(true);
    // Held: a second driver gets nothing.
    expect(await store.claimToDrive(run.id)).toBeNull();
    // A driver that stopped (a crash, a release) leaves a run that is no longer "never driven"; its first start is kept.
    await store.release(first.lease);
    const second = (await store.claimToDrive(run.id))!;
    expect(neverDriven(second.run)).toBe(false);
    expect(second.run.startedAt).toBe(first.run.startedAt);
    await store.setRunStatus(second.lease, 'succeeded', { output: { ok: true } });
    expect(await store.claimToDrive(run.id)).toBeNull();
    expect(await store.find(run.id)).toMatchObject({ status: 'succeeded', output: { ok: true }, leaseOwner: null });
  });

  it('creates a run already claimed for its driver, as claimToDrive leaves one never driven: held, queued until it starts', async () => {
    const created = await newRun('token-1');
    const { lease, run } = store.createdClaimed(created, 'token-1');
    // The row as stored is the row the driver starts from.
    const stored = (await store.find(run.id))!;
    expect(stored).toMatchObject({ status: 'queued', version: 1, leaseOwner: 'token-1', startedAt: null });
    expect(neverDriven(stored)).toBe(true);
    expect(await store.claimToDrive(run.id)).toBeNull();
    await store.setRunStatus(lease, 'running');
    await store.setRunStatus(lease, 'succeeded', { output: {} });
    expect(await store.find(run.id)).toMatchObject({ status: 'succeeded', leaseOwner: null });
    // A restart lets go of such a claim like any other: the run is driven again, no longer "never driven".
    const again = await newRun('token-2');
    await store.releaseAll();
    const resumed = (await store.claimToDrive(again.id))!;
    expect(neverDriven(resumed.run)).toBe(false);
    expect(resumed.run).toMatchObject({ status: 'running', startedAt: expect.any(String) });
  });

  it('creates a run claimed with its steps (createClaimed): the steps handed over are the ones stored', async () => {
    const claimed = await store.createClaimed(analystRun('response'), [
      { stepKey: 'first', action: 'azure_ad.get_user', input: { user: 'a' } },
      { stepKey: 'second', action: 'azure_ad.get_user', input: { user: 'b' } },
    ]);
    expect(claimed.steps).toEqual(await store.steps(claimed.run.id));
    expect(claimed.steps?.map((s) => [s.stepKey, s.position, s.status])).toEqual([
      ['first', 0, 'pending'],
      ['second', 1, 'pending'],
    ]);
    expect(await store.find(claimed.run.id)).toMatchObject({
      status: 'queued',
      version: 1,
      leaseOwner: claimed.lease.token,
    });
    expect(await store.claim(claimed.run.id)).toBeNull();
  });
});
