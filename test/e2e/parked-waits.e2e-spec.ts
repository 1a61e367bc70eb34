import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService, waitForRun } from '../support/service.js';

/*
 * A run that waits (a child run, a retry's backoff, a Defender machine action still Pending, a
 * timer) is parked: it leaves its slot, the database says what wakes it, and it is resumed from
 * its snapshot, also after a restart, without repeating a call.
 */
let fake: FakeCloud;
const services: TestService[] = [];

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 20 });
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  fake.faults.clear();
});
afterAll(async () => {
  await fake?.close();
});

async function start(env: Record<string, string> = {}, dataDir?: string): Promise<TestService> {
  const service = await startService(env, dataDir);
  services.push(service);
  return service;
}

async function setUp(env: Record<string, string> = {}): Promise<TestService> {
  fake.reset();
  fake.seedDemo();
  const service = await start(env);
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
  return service;
}

async function upload(service: TestService, id: string, yaml: string): Promise<void> {
  const put = await service.request('PUT', `/api/v1/playbooks/${id}`, {
    raw: `id: ${id}\nname: ${id}\n${yaml}`,
    headers: { 'Content-Type': 'application/yaml' },
  });
  expect(put.status, JSON.stringify(put.body)).toBeLessThan(300);
}

/** A stop that keeps the data, for the next start on the same database. */
async function restart(service: TestService, env: Record<string, string> = {}): Promise<TestService> {
  services.splice(services.indexOf(service), 1);
  await service.close({ keepData: true });
  return start(env, service.dataDir);
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const runStatus = async (service: TestService, runId: string, status: string) => {
  const { body } = await service.request('GET', `/api/v1/runs/${runId}`);
  return body.status === status ? body : undefined;
};

const CHILD =
  'inputs:\n  user: { type: string }\nsteps:\n  - id: pause\n    wait: { duration: 1s }\n  - id: read\n    action: azure_ad.get_user\n    with:\n      user: ${{ inputs.user }}\noutputs:\n  enabled: ${{ steps.read.output.accountEnabled }}\n';
const PARENT =
  'inputs:\n  user: { type: string }\nsteps:\n  - id: sub\n    call:\n      playbook: child-read\n      inputs:\n        user: ${{ inputs.user }}\noutputs:\n  enabled: ${{ steps.sub.output.enabled }}\n';

describe('a call step', () => {
  it('does not deadlock at a concurrency of 1: the parent is parked while its child runs', async () => {
    const service = await setUp({ RIPOSTE_RUN_CONCURRENCY: '1' });
    await upload(service, 'child-read', CHILD);
    await upload(service, 'parent-call', PARENT);
    const started = await service.request('POST', '/api/v1/playbooks/parent-call/runs', {
      body: { connectionTarget: 'contoso', inputs: { user: DEMO.users.megan.upn } },
    });
    const run = await waitForRun(service, started.body.runId, 20_000);
    expect(run).toMatchObject({ status: 'succeeded', output: { enabled: true } });
    const detail = await service.request('GET', `/api/v1/runs/${started.body.runId}`);
    expect(detail.body.timeline.map((e: { type: string }) => e.type)).toContain('step.waiting_child');
  });

  it('does not deadlock when more parents than slots call children at once (default concurrency)', async () => {
    const service = await setUp();
    await upload(service, 'child-read', CHILD);
    await upload(service, 'parent-call', PARENT);
    const parents = 80;
    const ids: string[] = [];
    for (let i = 0; i < parents; i++)
      ids.push(
        (
          await service.request('POST', '/api/v1/playbooks/parent-call/runs', {
            body: { connectionTarget: 'contoso', inputs: { user: DEMO.users.megan.upn } },
          })
        ).body.runId,
      );
    for (const id of ids)
      expect(await waitForRun(service, id, 60_000)).toMatchObject({ status: 'succeeded', output: { enabled: true } });
  }, 120_000);

  it('resumes after a restart while the parent is parked on its child: one child, both end', async () => {
    let service = await setUp();
    await upload(service, 'child-read', CHILD.replace('1s', '3s'));
    await upload(service, 'parent-call', PARENT);
    const started = await service.request('POST', '/api/v1/playbooks/parent-call/runs', {
      body: { connectionTarget: 'contoso', inputs: { user: DEMO.users.megan.upn } },
    });
    await until('the parent to park', () => runStatus(service, started.body.runId, 'waiting'));
    service = await restart(service);
    const run = await waitForRun(service, started.body.runId, 20_000);
    expect(run).toMatchObject({ status: 'succeeded', output: { enabled: true } });
    const children = (await service.request('GET', '/api/v1/runs?playbook=child-read')).body.items;
    expect(children).toHaveLength(1);
    expect(fake.count({ service: 'graph', method: 'GET', path: '/users/' })).toBe(1);
  }, 60_000);
});

describe('a retry backoff', () => {
  it('parks the run; after a restart the next attempt comes when due, counted as the second', async () => {
    let service = await setUp({ RIPOSTE_HTTP_MAX_ATTEMPTS: '1' });
    await upload(
      service,
      'flaky-read',
      'inputs:\n  user: { type: string }\nsteps:\n  - id: read\n    action: azure_ad.get_user\n    with:\n      user: ${{ inputs.user }}\n    retry: { attempts: 3, backoff: 3s, on: [service_unavailable] }\n',
    );
    fake.faults.inject({ service: 'graph', method: 'GET', path: '/users/', preset: 'unavailable', times: 1 });
    const started = await service.request('POST', '/api/v1/playbooks/flaky-read/runs', {
      body: { connectionTarget: 'contoso', inputs: { user: DEMO.users.megan.upn } },
    });
    const parked = await until('the run to park on its backoff', () =>
      runStatus(service, started.body.runId, 'waiting'),
    );
    expect(parked.steps[0]).toMatchObject({ id: 'read', status: 'waiting', attempts: 1 });
    const retry = parked.timeline.find((e: { type: string }) => e.type === 'step.retry_later');
    expect(retry.detail).toMatchObject({ attempt: 2 });
    service = await restart(service, { RIPOSTE_HTTP_MAX_ATTEMPTS: '1' });
    const run = await waitForRun(service, started.body.runId, 20_000);
    expect(run).toMatchObject({ status: 'succeeded' });
    expect(run.steps[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(Date.parse(run.endedAt)).toBeGreaterThanOrEqual(Date.parse(retry.detail.at));
    // Two reads; a third only if the stopping process had begun the due attempt before it was stopped
    // (a slow restart on a busy machine): a read may be repeated, and it is still counted as attempt 2.
    expect(fake.count({ service: 'graph', method: 'GET', path: '/users/' })).toBeGreaterThanOrEqual(2);
    expect(fake.count({ service: 'graph', method: 'GET', path: '/users/' })).toBeLessThanOrEqual(3);
  }, 60_000);
});

describe('a timer', () => {
  it('survives a restart and fires at its time', async () => {
    let service = await setUp();
    await upload(service, 'child-read', CHILD.replace('1s', '3s'));
    const started = await service.request('POST', '/api/v1/playbooks/child-read/runs', {
      body: { connectionTarget: 'contoso', inputs: { user: DEMO.users.megan.upn } },
    });
    const parked = await until('the run to park on its timer', () => runStatus(service, started.body.runId, 'waiting'));
    const due = parked.steps[0].output.until;
    service = await restart(service);
    const run = await waitForRun(service, started.body.runId, 20_000);
    expect(run).toMatchObject({ status: 'succeeded', output: { enabled: true } });
    expect(Date.parse(run.endedAt)).toBeGreaterThanOrEqual(Date.parse(due));
  }, 60_000);
});

describe('Defender machine actions that stay Pending', () => {
  it('do not hold slots: 100 pending isolations, then a disable ends while they all still wait; each machine got one isolation', async () => {
    const service = await setUp({
      RIPOSTE_MACHINE_ACTION_POLL_SECONDS: '1',
      RIPOSTE_MACHINE_ACTION_TIMEOUT_SECONDS: '900',
      RIPOSTE_DEFENDER_CALLS_PER_MINUTE: '100000',
      RIPOSTE_DEFENDER_CALLS_PER_HOUR: '1000000',
    });
    expect(
      (
        await service.request('PATCH', '/api/v1/guardrails', {
          body: { budgets: { 'defender.isolate_machine': { limit: 1000, window: '1h' } } },
        })
      ).status,
    ).toBe(200);
    const machines = Array.from({ length: 100 }, (_, i) =>
      fake.addMachine({ computerDnsName: `offline-${i}.contoso.com`, healthStatus: 'Active' }),
    );
    fake.scriptMachineActions({ outcome: 'StayPending', count: Infinity, type: 'Isolate' });
    const isolations: string[] = [];
    for (const machine of machines) {
      const started = await service.request('POST', '/api/v1/responses', {
        body: { action: 'defender.isolate_machine', connectionTarget: 'contoso', input: { machine: machine.id } },
      });
      expect(started.status).toBe(202);
      isolations.push(started.body.runId);
    }
    await until(
      'every isolation to be sent',
      async () => fake.listMachineActions({ type: 'Isolate', status: 'Pending' }).length === 100,
    );

    const disable = await service.request('POST', '/api/v1/responses?wait=30', {
      body: { action: 'azure_ad.disable_user', connectionTarget: 'contoso', input: { user: DEMO.users.adele.upn } },
    });
    const disabled = disable.body.status === 'succeeded' ? disable.body : await waitForRun(service, disable.body.runId);
    expect(disabled.status).toBe('succeeded');
    // Ordering, not timing: the disable ended while every isolation was still waiting for Defender
    // (parked, or being looked at once more).
    const listed = new Map<string, string>(
      (await service.request('GET', '/api/v1/runs?limit=200')).body.items.map((r: { id: string; status: string }) => [
        r.id,
        r.status,
      ]),
    );
    expect(isolations.filter((id) => !['waiting', 'running'].includes(listed.get(id) ?? ''))).toEqual([]);
    expect(fake.listMachineActions({ type: 'Isolate', status: 'Pending' })).toHaveLength(100);

    for (const action of fake.listMachineActions({ type: 'Isolate' }))
      fake.completeMachineAction(action.id, 'Succeeded');
    for (const id of isolations) expect(await waitForRun(service, id, 60_000)).toMatchObject({ status: 'succeeded' });
    expect(fake.count({ service: 'defender', method: 'POST', path: '/isolate' })).toBe(100);
  }, 180_000);

  it('a pending isolation survives a restart and is followed, not resent', async () => {
    let service = await setUp({ RIPOSTE_MACHINE_ACTION_POLL_SECONDS: '0.5' });
    fake.scriptMachineActions({ outcome: 'StayPending', type: 'Isolate' });
    const started = await service.request('POST', '/api/v1/responses', {
      body: {
        action: 'defender.isolate_machine',
        connectionTarget: 'contoso',
        input: { machine: DEMO.machines.meganLaptop.id },
      },
    });
    const parked = await until('the run to park on the pending action', () =>
      runStatus(service, started.body.runId, 'waiting'),
    );
    expect(parked.steps[0]).toMatchObject({ status: 'waiting', attempts: 1 });
    service = await restart(service, { RIPOSTE_MACHINE_ACTION_POLL_SECONDS: '0.5' });
    const [action] = fake.listMachineActions({ machineId: DEMO.machines.meganLaptop.id, type: 'Isolate' });
    fake.completeMachineAction(action!.id, 'Succeeded');
    const run = await waitForRun(service, started.body.runId, 20_000);
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]).toMatchObject({ attempts: 1, output: { machineActionId: action!.id, status: 'Succeeded' } });
    expect(fake.count({ service: 'defender', method: 'POST', path: '/isolate' })).toBe(1);
  }, 60_000);
});

describe('an accepted alert whose trigger matched', () => {
  it('ends in a run even when the run cannot start: a failed run with the reason, on the alert and in the run list', async () => {
    const service = await setUp();
    await upload(
      service,
      'needs-number',
      'inputs:\n  count: { type: integer }\ntriggers:\n  - alert: { title: { glob: "Needs a number*" } }\n    inputs:\n      count: ${{ alert.title }}\nsteps:\n  - id: read\n    action: azure_ad.get_user\n    with:\n      user: x\n',
    );
    // Alert-fired automation is opt-in per playbook.
    expect(
      (
        await service.request('PUT', '/api/v1/playbooks/needs-number/automation', {
          body: { enabled: true, reason: 'test' },
        })
      ).status,
    ).toBe(200);
    const posted = await service.request('POST', '/api/v1/alerts', {
      body: {
        id: 'n1',
        title: 'Needs a number, gets text',
        severity: 'low',
        lastUpdateDateTime: '2026-11-22T08:00:00Z',
      },
    });
    expect(posted.status).toBe(202);
    const [runId] = posted.body.alerts[0].runs;
    expect(runId).toEqual(expect.any(String));
    const run = (await service.request('GET', `/api/v1/runs/${runId}`)).body;
    expect(run).toMatchObject({
      status: 'failed',
      playbook: { id: 'needs-number' },
      error: { code: 'trigger_failed', message: expect.stringMatching(/could not start/) },
    });
    const alert = (await service.request('GET', `/api/v1/alerts/${posted.body.alerts[0].id}`)).body;
    expect(alert.runs).toMatchObject([{ id: runId, status: 'failed' }]);
  });
});

describe('a throttled call with a long Retry-After', () => {
  it('parks the run until then instead of sleeping in its slot, then sends the disable once more and succeeds', async () => {
    const service = await setUp();
    fake.faults.inject({ service: 'graph', method: 'PATCH', path: '/users/', preset: 'throttle', retryAfter: 6 });
    const started = await service.request('POST', '/api/v1/responses', {
      body: { action: 'azure_ad.disable_user', connectionTarget: 'contoso', input: { user: DEMO.users.adele.upn } },
    });
    const parked = await until('the run to park on the Retry-After', () =>
      runStatus(service, started.body.runId, 'waiting'),
    );
    expect(parked.steps[0]).toMatchObject({ status: 'waiting', attempts: 1 });
    const run = await waitForRun(service, started.body.runId, 30_000);
    expect(run).toMatchObject({
      status: 'succeeded',
      steps: [{ status: 'succeeded', output: { accountEnabled: false } }],
    });
    // One refused by Azure (429), one applied: never a third.
    expect(fake.count({ service: 'graph', method: 'PATCH', path: '/users/' })).toBe(2);
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(false);
  }, 60_000);
});
