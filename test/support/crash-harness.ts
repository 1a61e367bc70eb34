import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type FakeCloud, startFakeCloud } from './fake-cloud.js';
import { call, type ServiceProcess, spawnService } from './service-process.js';

const PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));
/** A start of the built service on a busy machine (migrations, recovery) can take tens of seconds. */
const START_MS = 60_000;

export interface CrashHarness {
  /** The file's fake cloud (one per file, started before its first test). */
  readonly fake: FakeCloud;
  /** A fake cloud reset to its demo tenant and a fresh data folder: each test starts from here. */
  fresh(): void;
  /** Starts the built service on the current data folder, with the shipped playbooks; killed after the test. */
  start(env?: Record<string, string>): Promise<ServiceProcess>;
  /** The run once its status is `status`, or once it has ended when none is given. */
  waitForStatus(url: string, runId: string, status?: string, timeoutMs?: number): Promise<any>;
}

/**
 * What every crash test needs: service processes on a data folder of their own that a test can
 * kill and start again, against one fake Microsoft cloud. Registers the file's hooks.
 */
export function useCrashHarness(
  fakeOptions: { actionTransitionMs: number } = { actionTransitionMs: 30 },
): CrashHarness {
  let fake: FakeCloud | undefined;
  let dataDir: string | undefined;
  const processes: ServiceProcess[] = [];
  beforeAll(async () => {
    fake = await startFakeCloud(fakeOptions);
  });
  afterEach(async () => {
    for (const p of processes.splice(0)) await p.kill('SIGKILL');
    fake?.faults.clear();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });
  afterAll(async () => {
    await fake?.close();
  });
  return {
    get fake() {
      if (!fake) throw new Error('the fake cloud starts before the first test');
      return fake;
    },
    fresh() {
      this.fake.reset();
      this.fake.seedDemo();
      dataDir = mkdtempSync(join(tmpdir(), 'riposte-crash-'));
    },
    async start(env = {}) {
      if (!dataDir) throw new Error('call fresh() first');
      const service = await spawnService(
        { RIPOSTE_DATA_DIR: dataDir, RIPOSTE_PLAYBOOKS_DIR: PLAYBOOKS, ...env },
        START_MS,
      );
      processes.push(service);
      return service;
    },
    async waitForStatus(url, runId, status, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { body } = await call(url, 'GET', `/api/v1/runs/${runId}`);
        if (status ? body.status === status : !['queued', 'running', 'waiting'].includes(body.status)) return body;
        if (Date.now() > deadline) throw new Error(`run still ${body.status}${status ? `, not ${status}` : ''}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
