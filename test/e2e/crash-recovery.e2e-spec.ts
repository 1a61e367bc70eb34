import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { call, type ServiceProcess, spawnService } from '../support/service-process.js';
import { demoTarget } from '../support/service.js';

/*
 * The service is killed with SIGKILL after Azure has acted on a destructive call but before the
 * answer came back, then started again on the same database. The run must finish, and Azure
 * must have received the destructive call exactly once.
 */
// Each test starts the service two or three times: on a busy machine a start alone takes 10 s.
let fake: FakeCloud;
let dataDir: string;
const processes: ServiceProcess[] = [];

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 30 });
});
afterEach(async () => {
  for (const p of processes.splice(0)) await p.kill('SIGKILL');
  fake.faults.clear();
  rmSync(dataDir, { recursive: true, force: true });
});
afterAll(async () => {
  await fake?.close();
});

const PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));

async function start(env: Record<string, string> = {}): Promise<ServiceProcess> {
  const service = await spawnService({ RIPOSTE_DATA_DIR: dataDir, RIPOSTE_PLAYBOOKS_DIR: PLAYBOOKS, ...env });
  processes.push(service);
  return service;
}

/** The run once its status is `status`, or once it has ended when none is given. */
async function waitForStatus(url: string, runId: string, status?: string, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await call(url, 'GET', `/api/v1/runs/${runId}`);
    if (status ? body.status === status : !['queued', 'running', 'waiting'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`run still ${body.status}${status ? `, not ${status}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const waitForRun = (url: string, runId: string) => waitForStatus(url, runId);

describe('a destructive call in flight when the service is killed', () => {
  it('is reconciled after the restart: the user ends disabled and Azure saw one PATCH', async () => {
    fake.seedDemo();
    dataDir = mkdtempSync(join(tmpdir(), 'riposte-crash-'));
    const first = await start();
    expect((await call(first.url, 'POST', '/api/v1/connection-targets', demoTarget(fake))).status).toBe(201);

    // Azure applies the PATCH at once, then sits on the answer long enough for us to kill the service.
    fake.faults.inject({ service: 'graph', method: 'PATCH', path: '/users/', effect: 'before', delayMs: 60_000 });
    const afterSeq = fake.lastRequestSeq;
    const started = await call(first.url, 'POST', '/api/v1/responses', {
      action: 'azure_ad.disable_user',
      connectionTarget: 'contoso',
      input: { user: DEMO.users.adele.upn },
    });
    expect(started.status).toBe(202);
    await fake.waitForRequest({ service: 'graph', method: 'PATCH', afterSeq }, 10_000);
    await first.kill('SIGKILL');
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(false);

    const second = await start();
    const run = await waitForRun(second.url, started.body.runId);
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]).toMatchObject({ status: 'succeeded', attempts: 2, output: { accountEnabled: false } });
    expect(fake.requests({ service: 'graph', method: 'PATCH', path: '/users/', afterSeq })).toHaveLength(1);
    expect(second.output()).toMatch(/Resuming 1 unfinished run/);
  }, 90_000);

  it('follows the isolation Azure already started instead of sending another', async () => {
    fake.seedDemo();
    dataDir = mkdtempSync(join(tmpdir(), 'riposte-crash-'));
    const first = await start();
    expect((await call(first.url, 'POST', '/api/v1/connection-targets', demoTarget(fake))).status).toBe(201);

    fake.faults.inject({ service: 'defender', method: 'POST', path: '/isolate', effect: 'before', delayMs: 60_000 });
    const afterSeq = fake.lastRequestSeq;
    const started = await call(first.url, 'POST', '/api/v1/responses', {
      action: 'defender.isolate_machine',
      connectionTarget: 'contoso',
      input: { machine: DEMO.machines.meganLaptop.dnsName },
    });
    await fake.waitForRequest({ service: 'defender', method: 'POST', path: '/isolate', afterSeq }, 10_000);
    await first.kill('SIGKILL');

    const second = await start();
    const run = await waitForRun(second.url, started.body.runId);
    expect(run.status).toBe('succeeded');
    expect(run.steps[0].output).toMatchObject({ machineId: DEMO.machines.meganLaptop.id, status: 'Succeeded' });
    expect(fake.requests({ service: 'defender', method: 'POST', path: '/isolate', afterSeq })).toHaveLength(1);
    expect(fake.listMachineActions({ machineId: DEMO.machines.meganLaptop.id, type: 'Isolate' })).toHaveLength(1);
  }, 90_000);
});

describe('a destructive call Azure received before the kill but applies only after the restart looked', () => {
  it('is not sent again: the restart finds nothing yet, waits until the call can no longer land, looks again and follows it', async () => {
    fake.seedDemo();
    dataDir = mkdtempSync(join(tmpdir(), 'riposte-crash-'));
    // A call may land until its timeout (25 s) plus the longest in-call retry wait (1 s) after its intent.
    const env = { RIPOSTE_HTTP_TIMEOUT_MS: '25000', RIPOSTE_HTTP_MAX_RETRY_WAIT_SECONDS: '1' };
    const first = await start(env);
    expect((await call(first.url, 'POST', '/api/v1/connection-targets', demoTarget(fake))).status).toBe(201);
    // Defender receives the isolation, holds it, and applies it 20 s later, whoever is still there.
    fake.faults.inject({ service: 'defender', method: 'POST', path: '/isolate', effect: 'late', delayMs: 20_000 });
    const afterSeq = fake.lastRequestSeq;
    const started = await call(first.url, 'POST', '/api/v1/responses', {
      action: 'defender.isolate_machine',
      connectionTarget: 'contoso',
      input: { machine: DEMO.machines.meganLaptop.id },
    });
    await fake.waitForRequest({ service: 'defender', method: 'POST', path: '/isolate', afterSeq }, 10_000);
    await first.kill('SIGKILL');

    const second = await start(env);
    // The restart's first look finds no trace: the window in which a resend would isolate twice.
    await waitForStatus(second.url, started.body.runId, 'waiting');
    expect(fake.listMachineActions({ machineId: DEMO.machines.meganLaptop.id, type: 'Isolate' })).toHaveLength(0);
    const run = await waitForStatus(second.url, started.body.runId, undefined, 60_000);
    expect(run.status).toBe('succeeded');
    expect(fake.requests({ service: 'defender', method: 'POST', path: '/isolate', afterSeq })).toHaveLength(1);
    expect(fake.listMachineActions({ machineId: DEMO.machines.meganLaptop.id, type: 'Isolate' })).toHaveLength(1);
  }, 120_000);
});

describe('a playbook run', () => {
  it('killed while its disable call is in flight finishes after the restart, with one PATCH, and is approved after it', async () => {
    fake.seedDemo();
    dataDir = mkdtempSync(join(tmpdir(), 'riposte-crash-'));
    const first = await start();
    expect((await call(first.url, 'POST', '/api/v1/connection-targets', demoTarget(fake))).status).toBe(201);
    // Someone other than the admin who starts the run decides its approvals (four eyes).
    const analystKey = (await call(first.url, 'POST', '/api/v1/api-keys', { name: 'second-analyst', role: 'analyst' }))
      .body.key as string;
    fake.faults.inject({ service: 'graph', method: 'PATCH', path: '/users/', effect: 'before', delayMs: 60_000 });
    const afterSeq = fake.lastRequestSeq;
    const patchesBefore = fake.count({ service: 'graph', method: 'PATCH', path: '/users/' });
    const started = await call(first.url, 'POST', '/api/v1/playbooks/compromised-account/runs', {
      connectionTarget: 'contoso',
      inputs: { user: DEMO.users.adele.upn, devices: [DEMO.machines.meganLaptop.id] },
    });
    expect(started.status).toBe(202);
    await waitForStatus(first.url, started.body.runId, 'waiting');
    expect(
      (
        await call(
          first.url,
          'POST',
          `/api/v1/runs/${started.body.runId}/approvals/approve_containment`,
          { decision: 'approve' },
          analystKey,
        )
      ).status,
    ).toBe(200);
    await fake.waitForRequest({ service: 'graph', method: 'PATCH', afterSeq }, 10_000);
    await first.kill('SIGKILL');

    const second = await start();
    const waiting = await waitForStatus(second.url, started.body.runId, 'waiting');
    expect(waiting.steps.find((s: { id: string }) => s.id === 'disable')).toMatchObject({
      status: 'succeeded',
      output: { accountEnabled: false },
    });
    expect(fake.count({ service: 'graph', method: 'PATCH', path: '/users/' })).toBe(patchesBefore + 1);

    // Stop cleanly while it waits for the approval; approve after the next start.
    await second.kill('SIGTERM');
    const third = await start();
    expect(
      (
        await call(
          third.url,
          'POST',
          `/api/v1/runs/${started.body.runId}/approvals/approve_isolation`,
          { decision: 'approve' },
          analystKey,
        )
      ).status,
    ).toBe(200);
    const run = await waitForStatus(third.url, started.body.runId, 'succeeded');
    expect(run.output).toMatchObject({ disabled: true, isolation: 'approve', devicesIsolated: 1 });
    expect(fake.count({ service: 'graph', method: 'PATCH', path: '/users/' })).toBe(patchesBefore + 1);
    expect(fake.requests({ service: 'defender', method: 'POST', path: '/isolate', afterSeq })).toHaveLength(1);
  }, 120_000);
});
