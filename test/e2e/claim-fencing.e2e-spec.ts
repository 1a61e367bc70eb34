import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EffectLedger } from '@riposte/actions';
import { RunScheduler, RunStore, StaleRun } from '@riposte/engine';
import { DEMO } from '@riposte/fake-cloud';
import { ClaimLost, Database, dataSourceOptions, EffectEntity, StepEntity } from '@riposte/persistence';
import { migrate } from '../../libs/persistence/src/data-source-options.js';
import { databaseEnv, dropDatabase, TEST_STORE } from '../support/database.js';
import { startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService } from '../support/service.js';

/*
 * A driver that lost its claim on a run (another driver took it over after a stall, or its claim
 * ran out) writes nothing that counts: not the run, not its steps, not its effect ledger. On the
 * store the suite runs on (SQLite, then PostgreSQL), through the real RunStore and EffectLedger.
 */
let dir: string;
let dataSource: DataSource;
let db: Database;
let store: RunStore;
let ledger: EffectLedger;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'riposte-fencing-'));
  const url = (await databaseEnv(dir)).RIPOSTE_DATABASE_URL;
  dataSource = await new DataSource(
    dataSourceOptions(
      (TEST_STORE === 'postgres'
        ? { type: 'postgres', url, poolSize: 4 }
        : { type: 'sqlite', path: join(dir, 'riposte.sqlite') }) as never,
    ),
  ).initialize();
  await migrate(dataSource);
  db = new Database(dataSource);
  store = new RunStore(db);
  ledger = new EffectLedger(db);
});
afterAll(async () => {
  await dataSource?.destroy();
  await dropDatabase(dir);
  rmSync(dir, { recursive: true, force: true });
});

const newRun = () =>
  store.create(
    {
      kind: 'response',
      triggerType: 'api',
      triggerBy: 'test',
      triggerRole: 'analyst',
      connectionTarget: 'demo',
      dryRun: false,
    },
    [{ stepKey: 'response', action: 'azure_ad.disable_user', input: {} }],
  );
const limits = { budget: null, maxEntities: 100, exempt: { budget: true, blastRadius: true } };
const key = (runId: string) => ({
  runId,
  stepKey: 'response',
  action: 'azure_ad.disable_user',
  connectionTarget: 'demo',
  entity: 'user@contoso.com',
});
const step = async (runId: string) => (await store.steps(runId))[0]!;
const effects = (runId: string) => db.reader.find(EffectEntity, { where: { runId } });

describe(`claim fencing of step and ledger writes (${TEST_STORE})`, () => {
  it("refuses a taken-over driver's step and ledger writes; the taker's count", async () => {
    const run = await newRun();
    const stale = (await store.claimToDrive(run.id))!.lease;
    await store.setStep(stale, 'response', { status: 'running', countAttempt: true });
    // The driver stalls; its claim is let go and another driver takes the run over.
    await store.release(stale);
    const taker = (await store.claimToDrive(run.id))!.lease;

    await expect(
      store.setStep(stale, 'response', { status: 'failed', error: { code: 'x', message: 'stale' } }),
    ).rejects.toBeInstanceOf(StaleRun);
    expect(await step(run.id)).toMatchObject({ status: 'running', attempts: 1, error: null });
    // No intent, so no call: the stale driver cannot record one.
    await expect(ledger.intend(key(run.id), limits, null, stale)).rejects.toBeInstanceOf(ClaimLost);
    expect(await effects(run.id)).toEqual([]);

    const intent = await ledger.intend(key(run.id), limits, null, taker);
    if (!('effect' in intent)) throw new Error('the taker was refused its intent');
    // Nor can it name or settle the taker's effect.
    await expect(ledger.recordReference(intent.effect.id, 'stale-reference', stale)).rejects.toBeInstanceOf(ClaimLost);
    await expect(
      db.transaction((m) => ledger.settle(m, intent.effect.id, 'failed', { error: { code: 'x' } }, stale)),
    ).rejects.toBeInstanceOf(ClaimLost);
    expect(await effects(run.id)).toMatchObject([{ status: 'intended', reference: null, settledAt: null }]);

    await ledger.recordReference(intent.effect.id, 'reference', taker);
    await db.transaction((m) => ledger.settle(m, intent.effect.id, 'succeeded', { output: { ok: true } }, taker));
    await store.setStep(taker, 'response', { status: 'succeeded', output: { ok: true }, error: null });
    await store.setRunStatus(taker, 'succeeded', { output: {} });
    expect(await effects(run.id)).toMatchObject([{ status: 'succeeded', reference: 'reference' }]);
    expect(await step(run.id)).toMatchObject({ status: 'succeeded', output: { ok: true } });
  });

  it('in queue mode, also refuses a driver whose claim ran out (or nearly) before anyone took the run', async () => {
    const queueStore = new RunStore(db);
    queueStore.leaseMs = 8_000;
    queueStore.fenceMarginMs = 2_000;
    const run = await newRun();
    const lease = (await queueStore.claimToDrive(run.id))!.lease;
    expect(lease.marginMs).toBe(2_000);
    await queueStore.setStep(lease, 'response', { status: 'running', countAttempt: true });
    const intent = await ledger.intend(key(run.id), limits, null, lease);
    if (!('effect' in intent)) throw new Error('the driver was refused its intent');

    // Its renewals stopped (a stalled event loop): one second of claim left, within the margin. Nobody took the run.
    const soon = new Date(Date.now() + 1_000).toISOString();
    await db.transaction((m) => db.run(m, UPDATE_LEASE, [soon, run.id]));
    await expect(
      queueStore.setStep(lease, 'response', { status: 'failed', error: { code: 'x', message: 'y' } }),
    ).rejects.toBeInstanceOf(StaleRun);
    await expect(
      queueStore.setRunStatus(lease, 'failed', { error: { code: 'x', message: 'y' } }),
    ).rejects.toBeInstanceOf(StaleRun);
    await expect(ledger.recordReference(intent.effect.id, 'late', lease)).rejects.toBeInstanceOf(ClaimLost);
    await expect(
      db.transaction((m) => ledger.settle(m, intent.effect.id, 'failed', { error: { code: 'x' } }, lease)),
    ).rejects.toBeInstanceOf(ClaimLost);
    expect(await queueStore.find(run.id)).toMatchObject({ status: 'running', error: null, leaseOwner: lease.token });
    expect(await db.reader.findOneBy(StepEntity, { runId: run.id })).toMatchObject({ status: 'running', error: null });
    expect(await effects(run.id)).toMatchObject([{ status: 'intended', reference: null }]);
  });
});

const UPDATE_LEASE = 'UPDATE runs SET "leaseUntil" = $1 WHERE id = $2';

describe(`a driver whose run was taken over while its destructive call was out (${TEST_STORE})`, () => {
  it('records nothing when the answer comes back: no settle, no step result, no audit, no end', async () => {
    const fake = await startFakeCloud();
    fake.seedDemo();
    const service = await startService();
    try {
      expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(
        201,
      );
      // Azure applies the PATCH at once and sits on its answer meanwhile.
      const fault = fake.faults.inject({
        service: 'graph',
        method: 'PATCH',
        path: '/users/',
        effect: 'before',
        delayMs: 2_000,
      });
      const afterSeq = fake.lastRequestSeq;
      const started = await service.request('POST', '/api/v1/responses', {
        body: { action: 'azure_ad.disable_user', connectionTarget: 'contoso', input: { user: DEMO.users.adele.upn } },
      });
      expect(started.status).toBe(202);
      const runId = started.body.runId as string;
      await fake.waitForRequest({ service: 'graph', method: 'PATCH', afterSeq }, 15_000);
      // Another driver takes the run over while the answer is on its way (as after a stall).
      const serviceDb = service.app.get(Database);
      await serviceDb.transaction((m) =>
        serviceDb.run(m, 'UPDATE runs SET "leaseOwner" = $1 WHERE id = $2', ['another-driver', runId]),
      );
      const scheduler = service.app.get(RunScheduler);
      for (const deadline = Date.now() + 15_000; scheduler.isActive(runId);) {
        if (Date.now() > deadline) throw new Error('the stale driver never stopped');
        await new Promise((r) => setTimeout(r, 50));
      }
      fault.remove();
      const run = (await service.request('GET', `/api/v1/runs/${runId}`)).body;
      expect(run).toMatchObject({ status: 'running', error: null, endedAt: null });
      expect(run.steps[0]).toMatchObject({ status: 'running', output: null, error: null });
      expect(await serviceDb.reader.find(EffectEntity, { where: { runId } })).toMatchObject([
        { status: 'intended', settledAt: null },
      ]);
      const audit = (await service.request('GET', `/api/v1/audit?limit=100`)).body.items as {
        action: string;
        runId?: string;
      }[];
      expect(audit.filter((entry) => entry.action === 'action.azure_ad.disable_user')).toEqual([]);
      expect(fake.count({ service: 'graph', method: 'PATCH', path: '/users/', afterSeq })).toBe(1);
    } finally {
      await service.close();
      await fake.close();
    }
  });
});
