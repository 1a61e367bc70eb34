import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService } from '../support/service.js';

/*
 * A run cancelled while it still waits for a slot (queued behind others) never starts: none of
 * its steps runs and no call of it reaches Azure, once the slot frees. One slot, held by a
 * response whose call Azure keeps waiting.
 */
let fake: FakeCloud;
let service: TestService;

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  service = await startService({ RIPOSTE_RUN_CONCURRENCY: '1' });
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
  const put = await service.request('PUT', '/api/v1/playbooks/read-user', {
    raw: 'id: read-user\nname: Read a user\ninputs:\n  user: { type: string }\nsteps:\n  - id: read\n    action: azure_ad.get_user\n    with:\n      user: ${{ inputs.user }}\n',
    headers: { 'Content-Type': 'application/yaml' },
  });
  expect(put.status).toBe(201);
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

/** Holds the one slot: a read of Adele that Azure answers only after a minute (until it is cancelled). */
async function holdTheSlot(): Promise<string> {
  const afterSeq = fake.lastRequestSeq;
  const fault = fake.faults.inject({
    service: 'graph',
    method: 'GET',
    path: DEMO.users.adele.upn,
    delayMs: 60_000,
    effect: 'late',
  });
  const blocker = await service.request('POST', '/api/v1/responses', {
    body: { action: 'azure_ad.get_user', connectionTarget: 'contoso', input: { user: DEMO.users.adele.upn } },
  });
  expect(blocker.status).toBe(202);
  await fake.waitForRequest({ service: 'graph', method: 'GET', afterSeq }, 10_000);
  fault.remove();
  // Its step started, so the run reads running (created claimed, it was queued until then).
  const run = (await service.request('GET', `/api/v1/runs/${blocker.body.runId}`)).body;
  expect(run).toMatchObject({ status: 'running', steps: [{ status: 'running', attempts: 1 }] });
  expect(run.startedAt).toEqual(expect.any(String));
  return blocker.body.runId as string;
}

async function freeTheSlot(blockerId: string): Promise<void> {
  const cancelled = await service.request('POST', `/api/v1/runs/${blockerId}/cancel`);
  expect(cancelled.body.status).toBe('cancelled');
}

/** Once the slot is free, a run queued behind it would have started: a later run that ends proves it. */
async function drainTheQueue(): Promise<void> {
  const after = await service.request('POST', '/api/v1/responses?wait=10', {
    body: { action: 'azure_ad.get_user', connectionTarget: 'contoso', input: { user: DEMO.users.alex.upn } },
  });
  expect(after.body.status).toBe('succeeded');
}

describe('cancelling a run still queued for a slot', () => {
  it('a playbook run: cancelled at once, its step never starts, nothing reaches Azure', async () => {
    const blocker = await holdTheSlot();
    const queued = await service.request('POST', '/api/v1/playbooks/read-user/runs', {
      body: { connectionTarget: 'contoso', inputs: { user: DEMO.users.megan.upn } },
    });
    expect(queued.status).toBe(202);
    expect((await service.request('GET', `/api/v1/runs/${queued.body.runId}`)).body.status).toBe('queued');

    const cancelled = await service.request('POST', `/api/v1/runs/${queued.body.runId}/cancel`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    await freeTheSlot(blocker);
    await drainTheQueue();

    const run = (await service.request('GET', `/api/v1/runs/${queued.body.runId}`)).body;
    expect(run.status).toBe('cancelled');
    expect(run.steps.map((s: { status: string }) => s.status)).not.toContain('succeeded');
    expect(fake.count({ service: 'graph', method: 'GET', path: DEMO.users.megan.upn })).toBe(0);
  });

  it('a simple response: the same', async () => {
    const blocker = await holdTheSlot();
    const queued = await service.request('POST', '/api/v1/responses', {
      body: { action: 'azure_ad.disable_user', connectionTarget: 'contoso', input: { user: DEMO.users.megan.upn } },
    });
    expect(queued.status).toBe(202);

    const cancelled = await service.request('POST', `/api/v1/runs/${queued.body.runId}/cancel`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    await freeTheSlot(blocker);
    await drainTheQueue();

    const run = (await service.request('GET', `/api/v1/runs/${queued.body.runId}`)).body;
    expect(run.status).toBe('cancelled');
    expect(run.steps[0].status).toBe('cancelled');
    expect(fake.count({ service: 'graph', method: 'PATCH', path: DEMO.users.megan.upn })).toBe(0);
    expect(fake.getUser(DEMO.users.megan.upn)?.accountEnabled).toBe(true);
  });
});
