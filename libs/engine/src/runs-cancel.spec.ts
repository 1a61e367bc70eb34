import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@riposte/config';
import { Database, dataSourceOptions } from '@riposte/persistence';
import { LocalRunScheduler } from './local-run-scheduler.js';
import type { RunDriver } from './run-scheduler.js';
import { RunEvents } from './run-events.js';
import { RunStore } from './run-store.js';
import { RunsService } from './runs.service.js';
import { analystRun } from '../../../test/support/runs.js';

/*
 * A cancel that comes while the run's driver is still finishing, but after it parked the run (it
 * waits for a person now, and its driver no longer looks at the cancel): the run is cancelled in
 * place once the driver has let it go, not left waiting. Real SQLite, the real scheduler; the
 * driver is this test's own, so that the cancel lands in exactly that moment every time.
 */
let dir: string;
let dataSource: DataSource;
let store: RunStore;
let scheduler: LocalRunScheduler;
let runs: RunsService;

/** Parks the run with its one step waiting, says so, and finishes (recording nothing) once it is aborted. */
class ParkThenLinger implements RunDriver {
  private hasParked!: () => void;
  readonly parked = new Promise<void>((resolve) => (this.hasParked = resolve));

  async drive(runId: string, signal: AbortSignal): Promise<void> {
    const lease = (await store.claim(runId))!;
    await store.setStep(lease, 'approve', { status: 'waiting' });
    await store.park(lease, null, null);
    this.hasParked();
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'riposte-runs-cancel-'));
  dataSource = await new DataSource(
    dataSourceOptions({ type: 'sqlite', path: join(dir, 'riposte.db') } as never),
  ).initialize();
  const db = new Database(dataSource);
  store = new RunStore(db);
  scheduler = new LocalRunScheduler(loadConfig({}));
  // Cancelling reads and writes runs only: the catalogue, the holds and the playbook driver are not used.
  runs = new RunsService(store, scheduler, new RunEvents(), null as never, db, null as never, null as never);
});
afterAll(async () => {
  await dataSource?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('cancelling a run', () => {
  it('that its driver parked just before the cancel: cancelled in place once the driver lets go', async () => {
    const driver = new ParkThenLinger();
    scheduler.register('playbook', driver);
    const run = await store.create(analystRun('playbook'), [{ stepKey: 'approve', action: null, input: {} }]);
    scheduler.schedule(run.id, 'playbook');
    await driver.parked;
    expect(scheduler.isActive(run.id)).toBe(true);

    // The cancel is asked of the driver, which finishes without recording it, as a driver that has parked does.
    const view = await runs.cancel(run.id);
    expect(view.status).toBe('cancelled');
    expect(view.steps.find((s) => s.id === 'approve')?.status).toBe('cancelled');
    expect(scheduler.isActive(run.id)).toBe(false);
  });

  it('that has already ended: refused with run_ended', async () => {
    const run = await store.create(analystRun('response'), [
      { stepKey: 'response', action: 'azure_ad.get_user', input: {} },
    ]);
    const lease = (await store.claim(run.id))!;
    await store.setRunStatus(lease, 'succeeded');
    await expect(runs.cancel(run.id)).rejects.toMatchObject({ code: 'run_ended' });
  });
});
