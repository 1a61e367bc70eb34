import { describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { useCrashHarness } from '../support/crash-harness.js';
import { call } from '../support/service-process.js';
import { demoTarget } from '../support/service.js';

/*
 * The service is killed with SIGKILL after Azure has acted on a destructive call but before the
 * answer came back, then started again on the same database. The run must finish, and Azure
 * must have received the destructive call exactly once. (The call that Azure applies only after
 * the restart looked: crash-recovery-late.e2e-spec.ts; the response catalogue:
 * crash-recovery-catalogue.e2e-spec.ts.)
 */
const crash = useCrashHarness();

describe('a destructive call in flight when the service is killed', () => {
  it('is reconciled after the restart: the user ends disabled and Azure saw one PATCH', async () => {
    crash.fresh();
    const first = await crash.start();
    expect((await call(first.url, 'POST', '/api/v1/connection-targets', demoTarget(crash.fake))).status).toBe(201);

    // Azure applies the PATCH at once, then sits on the answer long enough for us to kill the service.
    crash.fake.faults.inject({ service: 'graph', method: 'PATCH', path: '/users/', effect: 'before', delayMs: 60_000 });
    const afterSeq = crash.fake.lastRequestSeq;
    const started = await call(first.url, 'POST', '/api/v1/responses', {
      action: 'azure_ad.disable_user',
      connectionTarget: 'contoso',
      input: { user: DEMO.users.adele.upn },
    });
    expect(started.status).toBe(202);
    await crash.fake.waitForRequest({ service: 'graph', method: 'PATCH', afterSeq }, 10_000);
    await first.kill('SIGKILL');
    expect(crash.fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(false);

    const second = await crash.start();
    const run = await crash.waitForStatus(second.url, started.body.runId);
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]).toMatchObject({ status: 'succeeded', attempts: 2, output: { accountEnabled: false } });
    expect(crash.fake.requests({ service: 'graph', method: 'PATCH', path: '/users/', afterSeq })).toHaveLength(1);
    expect(second.output()).toMatch(/Resuming 1 unfinished run/);
  }, 90_000);

  it('follows the isolation Azure already started instead of sending another', async () => {
    crash.fresh();
    const first = await crash.start();
    expect((await call(first.url, 'POST', '/api/v1/connection-targets', demoTarget(crash.fake))).status).toBe(201);

    crash.fake.faults.inject({
      service: 'defender',
      method: 'POST',
      path: '/isolate',
      effect: 'before',
      delayMs: 60_000,
    });
    const afterSeq = crash.fake.lastRequestSeq;
    const started = await call(first.url, 'POST', '/api/v1/responses', {
      action: 'defender.isolate_machine',
      connectionTarget: 'contoso',
      input: { machine: DEMO.machines.meganLaptop.dnsName },
    });
    await crash.fake.waitForRequest({ service: 'defender', method: 'POST', path: '/isolate', afterSeq }, 10_000);
    await first.kill('SIGKILL');

    const second = await crash.start();
    const run = await crash.waitForStatus(second.url, started.body.runId);
    expect(run.status).toBe('succeeded');
    expect(run.steps[0].output).toMatchObject({ machineId: DEMO.machines.meganLaptop.id, status: 'Succeeded' });
    expect(crash.fake.requests({ service: 'defender', method: 'POST', path: '/isolate', afterSeq })).toHaveLength(1);
    expect(crash.fake.listMachineActions({ machineId: DEMO.machines.meganLaptop.id, type: 'Isolate' })).toHaveLength(1);
  }, 90_000);
});

describe('a playbook run', () => {
  it('killed while its disable call is in flight finishes after the restart, with one PATCH, and is approved after it', async () => {
    crash.fresh();
    const first = await crash.start();
    expect((await call(first.url, 'POST', '/api/v1/connection-targets', demoTarget(crash.fake))).status).toBe(201);
    // Someone other than the admin who starts the run decides its approvals (four eyes).
    const analystKey = (await call(first.url, 'POST', '/api/v1/api-keys', { name: 'second-analyst', role: 'analyst' }))
      .body.key as string;
    crash.fake.faults.inject({ service: 'graph', method: 'PATCH', path: '/users/', effect: 'before', delayMs: 60_000 });
    const afterSeq = crash.fake.lastRequestSeq;
    const patchesBefore = crash.fake.count({ service: 'graph', method: 'PATCH', path: '/users/' });
    const started = await call(first.url, 'POST', '/api/v1/playbooks/compromised-account/runs', {
      connectionTarget: 'contoso',
      inputs: { user: DEMO.users.adele.upn, devices: [DEMO.machines.meganLaptop.id] },
    });
    expect(started.status).toBe(202);
    await crash.waitForStatus(first.url, started.body.runId, 'waiting');
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
    await crash.fake.waitForRequest({ service: 'graph', method: 'PATCH', afterSeq }, 10_000);
    // Sessions are revoked beside the disable. Killed before Azure saw that call, the restarted
    // service could not tell it from one still on its way, and would rightly wait minutes before
    // sending it (see the late-landing tests): this test is about the PATCH.
    await crash.fake.waitForRequest(
      { service: 'graph', method: 'POST', path: '/revokeSignInSessions', afterSeq },
      10_000,
    );
    await first.kill('SIGKILL');

    const second = await crash.start();
    const waiting = await crash.waitForStatus(second.url, started.body.runId, 'waiting');
    expect(waiting.steps.find((s: { id: string }) => s.id === 'disable')).toMatchObject({
      status: 'succeeded',
      output: { accountEnabled: false },
    });
    expect(waiting.waitingFor).toMatchObject([{ step: 'approve_isolation', kind: 'approval' }]);
    expect(crash.fake.count({ service: 'graph', method: 'PATCH', path: '/users/' })).toBe(patchesBefore + 1);

    // Stop cleanly while it waits for the approval; approve after the next start.
    await second.kill('SIGTERM');
    const third = await crash.start();
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
    const run = await crash.waitForStatus(third.url, started.body.runId, 'succeeded');
    expect(run.output).toMatchObject({ disabled: true, isolation: 'approve', devicesIsolated: 1 });
    expect(crash.fake.count({ service: 'graph', method: 'PATCH', path: '/users/' })).toBe(patchesBefore + 1);
    expect(crash.fake.requests({ service: 'defender', method: 'POST', path: '/isolate', afterSeq })).toHaveLength(1);
  }, 120_000);
});
