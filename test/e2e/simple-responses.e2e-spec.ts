import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { respond } from '../support/responses.js';
import { demoTarget, startService, type TestService, waitForRun } from '../support/service.js';

let fake: FakeCloud;
let service: TestService;

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 20 });
  fake.seedDemo();
  service = await startService();
  const created = await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.faults.clear();
});

describe('simple responses against the fake cloud', () => {
  it('disables then enables a user, each a run with one succeeded step', async () => {
    const upn = DEMO.users.adele.upn;
    const disabled = await respond(service, 'azure_ad.disable_user', { user: upn });
    expect(disabled).toMatchObject({
      kind: 'response',
      status: 'succeeded',
      trigger: { type: 'api' },
      steps: [{ id: 'response', action: 'azure_ad.disable_user', status: 'succeeded', attempts: 1 }],
    });
    expect(fake.getUser(upn)?.accountEnabled).toBe(false);

    const enabled = await respond(service, 'azure_ad.enable_user', { user: upn });
    expect(enabled.status).toBe('succeeded');
    expect(fake.getUser(upn)?.accountEnabled).toBe(true);
    expect(fake.count({ service: 'graph', method: 'PATCH' })).toBeGreaterThanOrEqual(2);
  });

  it('isolates then releases a machine by DNS name, following the machine action to Succeeded', async () => {
    const isolated = await respond(service, 'defender.isolate_machine', {
      machine: DEMO.machines.adeleDesktop.dnsName,
      comment: 'alert 42',
    });
    expect(isolated.status).toBe('succeeded');
    expect(isolated.steps[0].output).toMatchObject({
      machineId: DEMO.machines.adeleDesktop.id,
      status: 'Succeeded',
      joinedExistingAction: false,
    });
    const action = fake.listMachineActions({ machineId: DEMO.machines.adeleDesktop.id, type: 'Isolate' })[0];
    expect(action?.requestorComment).toContain('alert 42');
    expect(action?.requestorComment).toContain(`riposte:${isolated.id}/response`);

    const released = await respond(service, 'defender.release_machine', { machine: DEMO.machines.adeleDesktop.id });
    expect(released.status).toBe('succeeded');
    expect(fake.listMachineActions({ machineId: DEMO.machines.adeleDesktop.id, type: 'Unisolate' })[0]?.status).toBe(
      'Succeeded',
    );
  });

  it('revokes sessions', async () => {
    const run = await respond(service, 'azure_ad.revoke_sessions', { user: DEMO.users.megan.upn });
    expect(run.steps[0]).toMatchObject({ status: 'succeeded', output: { revoked: true } });
    expect(fake.getUser(DEMO.users.megan.upn)?.signInSessionsValidFromDateTime).toBeTruthy();
  });

  it('plans a dry run with the exact request and sends nothing that changes anything', async () => {
    const before = fake.count({ method: 'PATCH' });
    const run = await respond(service, 'azure_ad.disable_user', { user: DEMO.users.alex.upn }, { dryRun: true });
    expect(run).toMatchObject({ status: 'succeeded', dryRun: true, steps: [{ status: 'planned' }] });
    expect(run.steps[0].output.requests).toEqual([
      {
        method: 'PATCH',
        url: `${fake.endpoints.graph}/v1.0/users/${encodeURIComponent(DEMO.users.alex.upn)}`,
        body: { accountEnabled: false },
        headers: { Authorization: 'Bearer [REDACTED]', 'Content-Type': 'application/json' },
      },
    ]);
    expect(fake.count({ method: 'PATCH' })).toBe(before);
    expect(fake.getUser(DEMO.users.alex.upn)?.accountEnabled).toBe(true);
  });

  it('holds the answer with ?wait= and returns the finished run', async () => {
    const { status, body } = await service.request('POST', '/api/v1/responses?wait=10', {
      body: { action: 'azure_ad.get_user', connectionTarget: 'contoso', input: { user: DEMO.users.nestor.upn } },
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'succeeded',
      steps: [{ output: { userPrincipalName: DEMO.users.nestor.upn, accountEnabled: true } }],
    });
  });

  it('fails the step with a typed error when the user does not exist', async () => {
    const run = await respond(service, 'azure_ad.disable_user', { user: 'nobody@contoso.com' });
    expect(run).toMatchObject({
      status: 'failed',
      error: { code: 'user_not_found' },
      steps: [{ status: 'failed', error: { code: 'user_not_found' } }],
    });
  });

  it('reverts a disable by enabling the user', async () => {
    const upn = DEMO.users.megan.upn;
    const disabled = await respond(service, 'azure_ad.disable_user', { user: upn });
    const revert = await service.request('POST', `/api/v1/runs/${disabled.id}/revert`);
    expect(revert.status, revert.text).toBe(202);
    const run = await waitForRun(service, revert.body.runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      trigger: { type: 'revert', revertOf: disabled.id },
      steps: [{ action: 'azure_ad.enable_user', status: 'succeeded' }],
    });
    expect(fake.getUser(upn)?.accountEnabled).toBe(true);
  });

  it('audits every executed action', async () => {
    const run = await respond(service, 'azure_ad.get_user', { user: DEMO.users.megan.upn });
    const audit = await service.request('GET', `/api/v1/audit?runId=${run.id}`);
    // Newest first: the action the run executed, then the API call that started it.
    expect(audit.body.items).toEqual([
      expect.objectContaining({
        action: 'action.azure_ad.get_user',
        result: 'success',
        actor: 'admin (RIPOSTE_ADMIN_KEY)',
        actorRole: 'admin',
        targetEntity: `user:${DEMO.users.megan.upn}`,
        connectionTarget: 'contoso',
        runId: run.id,
      }),
      expect.objectContaining({
        action: 'response.start',
        result: 'success',
        connectionTarget: 'contoso',
        runId: run.id,
        requestId: expect.any(String),
      }),
    ]);
  });
});

describe('cancelling a response', () => {
  it('aborts the HTTP call in flight and ends the run as cancelled', async () => {
    fake.faults.inject({ service: 'graph', method: 'GET', path: '/users/', delayMs: 5000, effect: 'after' });
    const started = await service.request('POST', '/api/v1/responses', {
      body: { action: 'azure_ad.get_user', connectionTarget: 'contoso', input: { user: DEMO.users.alex.upn } },
    });
    // The fake records a request when it answers: wait until the step is running, then a little more.
    for (
      let i = 0;
      i < 100 &&
      (await service.request('GET', `/api/v1/runs/${started.body.runId}`)).body.steps[0].status !== 'running';
      i++
    )
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    const began = Date.now();
    const cancelled = await service.request('POST', `/api/v1/runs/${started.body.runId}/cancel`);
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      error: { code: 'cancelled' },
      steps: [{ status: 'cancelled', error: { code: 'cancelled' } }],
    });
    expect(Date.now() - began).toBeLessThan(2000);
    expect((await service.request('POST', `/api/v1/runs/${started.body.runId}/cancel`)).status).toBe(409);
  });
});
