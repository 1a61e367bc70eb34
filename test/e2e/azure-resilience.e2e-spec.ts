import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService, waitForRun } from '../support/service.js';

let fake: FakeCloud;
let service: TestService;
let targetCount = 0;

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 20 });
  service = await startService();
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.reset();
  fake.seedDemo();
});

/** A new connection target per test: its msal application (and token cache) starts empty. */
async function freshTarget(): Promise<string> {
  const name = `t${++targetCount}`;
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake, name) })).status).toBe(
    201,
  );
  return name;
}

async function respond(target: string, action: string, input: Record<string, unknown>) {
  const { body } = await service.request('POST', '/api/v1/responses', {
    body: { action, connectionTarget: target, input },
  });
  return waitForRun(service, body.runId, 30_000);
}

describe('tokens', () => {
  it('20 concurrent responses on one target cause one token request', async () => {
    const target = await freshTarget();
    const users = Object.values(DEMO.users).filter(
      (u) => u.upn !== DEMO.users.breakGlass.upn && u.upn !== DEMO.users.nestor.upn,
    );
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        respond(target, 'azure_ad.get_user', { user: users[i % users.length]!.upn }),
      ),
    );
    expect(runs.map((r) => r.status)).toEqual(Array(20).fill('succeeded'));
    expect(fake.tokenRequests()).toBe(1);
  });
});

describe('throttling and faults', () => {
  it('waits out a 429 with Retry-After: 2, then succeeds', async () => {
    const target = await freshTarget();
    fake.faults.inject({ service: 'graph', method: 'PATCH', path: '/users/', preset: 'throttle', retryAfter: 2 });
    const run = await respond(target, 'azure_ad.disable_user', { user: DEMO.users.alex.upn });
    expect(run.status).toBe('succeeded');
    const patches = fake.requests({ service: 'graph', method: 'PATCH' });
    expect(patches.map((p) => p.status)).toEqual([429, 204]);
    expect(Date.parse(patches[1]!.at) - Date.parse(patches[0]!.at)).toBeGreaterThanOrEqual(2000);
  });

  it('retries a 503 on an idempotent call, but not a reset on an isolation: that is reconciled instead', async () => {
    const target = await freshTarget();
    fake.faults.inject({ service: 'graph', method: 'PATCH', path: '/users/', preset: 'unavailable' });
    expect((await respond(target, 'azure_ad.disable_user', { user: DEMO.users.alex.upn })).status).toBe('succeeded');

    // The isolate reaches Defender, which acts, but the connection drops before the answer.
    fake.faults.inject({
      service: 'defender',
      method: 'POST',
      path: '/isolate',
      preset: 'resetConnection',
      effect: 'before',
    });
    const run = await respond(target, 'defender.isolate_machine', { machine: DEMO.machines.webServer.id });
    expect(run.status).toBe('succeeded');
    expect(fake.count({ service: 'defender', method: 'POST', path: '/isolate' })).toBe(1);
    expect(fake.listMachineActions({ machineId: DEMO.machines.webServer.id, type: 'Isolate' })).toHaveLength(1);
  });

  it('fails with a typed error when Graph keeps failing, without retrying forever', async () => {
    const target = await freshTarget();
    fake.faults.inject({ service: 'graph', method: 'GET', path: '/users/', preset: 'serverError', times: 'unlimited' });
    const run = await respond(target, 'azure_ad.get_user', { user: DEMO.users.alex.upn });
    expect(run.steps[0].error.code).toBe('service_unavailable');
    expect(fake.count({ service: 'graph', method: 'GET', path: '/users/' })).toBe(4);
  });

  it('reports a missing permission as insufficient_privileges', async () => {
    const target = await freshTarget();
    fake.faults.inject({ service: 'defender', method: 'POST', preset: 'forbidden' });
    const run = await respond(target, 'defender.isolate_machine', { machine: DEMO.machines.webServer.id });
    expect(run.steps[0].error).toMatchObject({
      code: 'insufficient_privileges',
      message: expect.stringMatching(/Defender for Endpoint refused/),
    });
  });
});

describe('Defender machine actions', () => {
  it('follows an isolation that is already pending instead of failing (ActiveRequestAlreadyExists)', async () => {
    const target = await freshTarget();
    fake.scriptMachineActions({ outcome: 'StayPending', type: 'Isolate' });
    const first = await service.request('POST', '/api/v1/responses', {
      body: {
        action: 'defender.isolate_machine',
        connectionTarget: target,
        input: { machine: DEMO.machines.meganLaptop.id },
      },
    });
    await fake.waitForRequest({ service: 'defender', method: 'POST', path: '/isolate' });
    const pending = fake.listMachineActions({ machineId: DEMO.machines.meganLaptop.id, type: 'Isolate' })[0]!;
    const second = await service.request('POST', '/api/v1/responses', {
      body: {
        action: 'defender.isolate_machine',
        connectionTarget: target,
        input: { machine: DEMO.machines.meganLaptop.id },
      },
    });
    await fake.waitForRequest({ service: 'defender', method: 'POST', path: '/isolate', status: 400 });
    fake.completeMachineAction(pending.id, 'Succeeded');
    const [a, b] = await Promise.all([waitForRun(service, first.body.runId), waitForRun(service, second.body.runId)]);
    expect(a.status, JSON.stringify(a.steps)).toBe('succeeded');
    expect(b.status, JSON.stringify(b.steps)).toBe('succeeded');
    expect(b.steps[0].output).toMatchObject({ machineActionId: pending.id, joinedExistingAction: true });
  });

  it('fails the step when the machine action ends Failed', async () => {
    const target = await freshTarget();
    fake.scriptMachineActions({ outcome: 'Failed', type: 'Isolate' });
    const run = await respond(target, 'defender.isolate_machine', { machine: DEMO.machines.webServer.dnsName });
    expect(run.steps[0].error).toMatchObject({
      code: 'machine_action_failed',
      message: expect.stringMatching(/ended Failed/),
    });
  });
});
