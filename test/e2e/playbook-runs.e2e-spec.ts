import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService, waitForRun, waitForStep } from '../support/service.js';

const PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));
let fake: FakeCloud;
let service: TestService;
let viewerKey: string;
/** A second person: whoever starts a run (here the admin) may not approve it. */
let analystKey: string;

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 20 });
  service = await startService({ RIPOSTE_PLAYBOOKS_DIR: PLAYBOOKS });
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
  viewerKey = (await service.request('POST', '/api/v1/api-keys', { body: { name: 'watcher', role: 'viewer' } })).body
    .key;
  analystKey = (
    await service.request('POST', '/api/v1/api-keys', { body: { name: 'second-analyst', role: 'analyst' } })
  ).body.key;
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.reset();
  fake.seedDemo();
});

async function waitForStatus(runId: string, status: string): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const { body } = await service.request('GET', `/api/v1/runs/${runId}`);
    if (body.status === status) return body;
    if (['succeeded', 'failed', 'cancelled'].includes(body.status))
      throw new Error(`run ended ${body.status}: ${JSON.stringify(body.error)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run never reached ${status}`);
}

/** The shipped playbook asks before anyone is disabled: a second analyst approves containment. */
async function approveContainment(runId: string): Promise<void> {
  await waitForStep(service, runId, 'approve_containment');
  expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(true);
  expect(
    (
      await service.request('POST', `/api/v1/runs/${runId}/approvals/approve_containment`, {
        key: analystKey,
        body: { decision: 'approve' },
      })
    ).status,
  ).toBe(200);
}

const compromised = (devices: string[]) => ({
  connectionTarget: 'contoso',
  inputs: { user: DEMO.users.adele.upn, devices, alertId: DEMO.alerts.powershell },
});

describe('the shipped playbooks', () => {
  it('are loaded from the playbooks folder at start', async () => {
    const { body } = await service.request('GET', '/api/v1/playbooks');
    expect(body.items.map((p: { id: string }) => p.id)).toEqual([
      'compromised-account',
      'disable-azure-ad-user',
      'enable-azure-ad-user',
      'isolate-victim-endpoint',
      'lock-down-exposed-storage',
      'malicious-file',
      'malicious-oauth-app',
      'phishing-url',
      'release-endpoint-from-isolation',
      'risky-user',
    ]);
    expect(body.files.every((f: { ok: boolean }) => f.ok)).toBe(true);
    expect(body.items[0]).toMatchObject({
      name: 'Compromised account response',
      version: 1,
      enabled: false,
      automation: { enabled: false, changedBy: null },
      source: 'file',
      triggers: [{ alert: { severity: ['high', 'medium'] } }],
    });
  });

  it('runs compromised-account: contains the user, waits for approval, isolates, resolves the alert', async () => {
    const started = await service.request('POST', '/api/v1/playbooks/compromised-account/runs', {
      body: compromised([DEMO.machines.adeleDesktop.dnsName, DEMO.machines.meganLaptop.id]),
    });
    expect(started.status).toBe(202);
    await approveContainment(started.body.runId);
    const waiting = await waitForStep(service, started.body.runId, 'approve_isolation');
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(false);
    expect(waiting.waitingFor).toEqual([
      {
        step: 'approve_isolation',
        kind: 'approval',
        prompt: expect.stringMatching(/Isolate 2 device\(s\).*desktop-adele/s),
        approvers: ['analyst'],
        deadline: expect.any(String),
      },
    ]);
    expect(fake.count({ service: 'defender', method: 'POST' })).toBe(0);

    expect(
      (
        await service.request('POST', `/api/v1/runs/${started.body.runId}/approvals/approve_isolation`, {
          key: viewerKey,
          body: { decision: 'approve' },
        })
      ).status,
    ).toBe(403);
    const decided = await service.request('POST', `/api/v1/runs/${started.body.runId}/approvals/approve_isolation`, {
      key: analystKey,
      body: { decision: 'approve', comment: 'confirmed with the user' },
    });
    expect(decided.status).toBe(200);
    const run = await waitForRun(service, started.body.runId);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(run.output).toEqual({
      user: DEMO.users.adele.upn,
      containment: 'approve',
      disabled: true,
      sessionsRevoked: true,
      isolation: 'approve',
      devicesIsolated: 2,
    });
    expect(run.steps.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual([
      'approve_containment:succeeded',
      'contain:succeeded',
      'disable:succeeded',
      'revoke:succeeded',
      'approve_isolation:succeeded',
      'isolate_devices:succeeded',
      'isolate[0]:succeeded',
      'isolate[1]:succeeded',
      'resolve_alert:succeeded',
    ]);
    expect(run.timeline.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['run.started', 'approval.requested', 'run.waiting', 'approval.decided', 'run.succeeded']),
    );
    expect(
      run.timeline.find(
        (e: { type: string; step: string }) => e.type === 'approval.decided' && e.step === 'approve_isolation',
      ).detail,
    ).toMatchObject({ decision: 'approve', by: 'second-analyst', comment: 'confirmed with the user' });
    expect(fake.getMachine(DEMO.machines.adeleDesktop.id)?.isolationState).toBe('Full');
    expect(fake.getMachine(DEMO.machines.meganLaptop.id)?.isolationState).toBe('Full');
    // Every change settled (with the journal's writes) and audited, the chain unbroken.
    const changes = await service.request('GET', `/api/v1/changes?run=${started.body.runId}`);
    const settled = changes.body.items.map((c: { status: string }) => c.status);
    expect(settled).toEqual(Array(settled.length).fill('succeeded'));
    expect(settled.length).toBeGreaterThanOrEqual(4);
    const audited = await service.request('GET', `/api/v1/audit?runId=${started.body.runId}`);
    expect(
      audited.body.items.filter((r: { action: string }) => r.action.startsWith('action.')).length,
    ).toBeGreaterThanOrEqual(settled.length);
    expect((await service.request('GET', '/api/v1/audit/verify')).body).toMatchObject({ ok: true });
    expect(fake.getAlert(DEMO.alerts.powershell)).toMatchObject({
      status: 'resolved',
      classification: 'truePositive',
      determination: 'compromisedUser',
      comments: [expect.objectContaining({ comment: expect.stringMatching(/isolated\s+2 device/) })],
    });
  });

  it('reverts a finished run: the user is enabled and the machines released, newest first', async () => {
    const started = await service.request('POST', '/api/v1/playbooks/compromised-account/runs', {
      body: compromised([DEMO.machines.webServer.dnsName]),
    });
    await approveContainment(started.body.runId);
    await waitForStep(service, started.body.runId, 'approve_isolation');
    await service.request('POST', `/api/v1/runs/${started.body.runId}/approvals/approve_isolation`, {
      key: analystKey,
      body: { decision: 'approve' },
    });
    expect((await waitForRun(service, started.body.runId)).status).toBe('succeeded');
    const revert = await service.request('POST', `/api/v1/runs/${started.body.runId}/revert`);
    expect(revert.status).toBe(202);
    const undone = await waitForRun(service, revert.body.runId);
    expect(undone.status).toBe('succeeded');
    expect(undone.steps.map((s: { action: string }) => s.action)).toEqual([
      'defender.release_machine',
      'azure_ad.enable_user',
    ]);
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(true);
    expect(fake.getMachine(DEMO.machines.webServer.id)?.isolationState).toBe('NotIsolated');
  });

  it('goes on without isolating when the analyst rejects', async () => {
    const started = await service.request('POST', '/api/v1/playbooks/compromised-account/runs', {
      body: compromised([DEMO.machines.webServer.id]),
    });
    await approveContainment(started.body.runId);
    await waitForStep(service, started.body.runId, 'approve_isolation');
    await service.request('POST', `/api/v1/runs/${started.body.runId}/approvals/approve_isolation`, {
      key: analystKey,
      body: { decision: 'reject', comment: 'server is critical' },
    });
    const run = await waitForRun(service, started.body.runId);
    expect(run.output.isolation).toBe('reject');
    expect(run.steps.find((s: { id: string }) => s.id === 'isolate_devices').status).toBe('skipped');
    expect(fake.count({ service: 'defender', method: 'POST' })).toBe(0);
    expect(
      (
        await service.request('POST', `/api/v1/runs/${started.body.runId}/approvals/approve_isolation`, {
          key: analystKey,
          body: { decision: 'approve' },
        })
      ).status,
    ).toBe(409);
  });

  it('plans a dry run: conditions evaluated, every action planned with its request, nothing sent', async () => {
    const started = await service.request('POST', '/api/v1/playbooks/compromised-account/runs', {
      body: { ...compromised([DEMO.machines.adeleDesktop.id]), dryRun: true },
    });
    const run = await waitForRun(service, started.body.runId);
    expect(run).toMatchObject({ status: 'succeeded', dryRun: true });
    const disable = run.steps.find((s: { id: string }) => s.id === 'disable');
    expect(disable).toMatchObject({
      status: 'planned',
      output: { requests: [{ method: 'PATCH', body: { accountEnabled: false } }] },
    });
    expect(run.steps.find((s: { id: string }) => s.id === 'isolate[0]')).toMatchObject({
      status: 'planned',
      output: { requests: [{ method: 'POST', url: expect.stringMatching(/\/isolate$/) }] },
    });
    expect(
      fake.count({ method: 'PATCH' }) +
        fake.count({ service: 'defender', method: 'POST' }) +
        fake.count({ service: 'graph', method: 'POST' }),
    ).toBe(0);
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(true);
  });

  it('refuses inputs that do not fit, naming each', async () => {
    const response = await service.request('POST', '/api/v1/playbooks/compromised-account/runs', {
      body: { connectionTarget: 'contoso', inputs: { devices: 'one', colour: 'red' } },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/inputs/colour',
      '/inputs/devices',
      '/inputs/user',
    ]);
  });

  it('cancels a run that waits for an approval', async () => {
    const started = await service.request('POST', '/api/v1/playbooks/compromised-account/runs', {
      body: compromised([DEMO.machines.webServer.id]),
    });
    await waitForStep(service, started.body.runId, 'approve_containment');
    const cancelled = await service.request('POST', `/api/v1/runs/${started.body.runId}/cancel`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    expect(cancelled.body.steps.find((s: { id: string }) => s.id === 'approve_containment').status).toBe('cancelled');
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(true);
  });
});

describe('uploading playbooks', () => {
  const custom = (wait = '1s') =>
    `id: wait-and-read\nname: Wait, then read a user\ninputs:\n  user: { type: string }\nsteps:\n  - id: pause\n    wait: { duration: ${wait} }\n  - id: read\n    action: azure_ad.get_user\n    with:\n      user: \${{ inputs.user }}\noutputs:\n  enabled: \${{ steps.read.output.accountEnabled }}\n`;

  it('stores versions, compiles, graphs and runs an uploaded playbook (with a wait)', async () => {
    const first = await service.request('PUT', '/api/v1/playbooks/wait-and-read', {
      raw: custom(),
      headers: { 'Content-Type': 'application/yaml' },
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ id: 'wait-and-read', version: 1, changed: true });
    const same = await service.request('PUT', '/api/v1/playbooks/wait-and-read', {
      raw: custom(),
      headers: { 'Content-Type': 'application/yaml' },
    });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ version: 1, changed: false });
    const second = await service.request('PUT', '/api/v1/playbooks/wait-and-read', {
      raw: custom('2s'),
      headers: { 'Content-Type': 'application/yaml' },
    });
    expect(second.body.version).toBe(2);
    const v1 = await service.request('GET', '/api/v1/playbooks/wait-and-read?version=1');
    expect(v1.body.yaml).toContain('duration: 1s');
    expect(v1.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const graph = await service.request('GET', '/api/v1/playbooks/wait-and-read/graph');
    expect(graph.headers.get('content-type')).toMatch(/text\/vnd.mermaid/);
    expect(graph.text).toMatch(/^stateDiagram-v2/);
    expect(graph.text).toContain('pause');

    const started = await service.request('POST', '/api/v1/playbooks/wait-and-read/runs', {
      body: { connectionTarget: 'contoso', inputs: { user: DEMO.users.megan.upn } },
    });
    const waiting = await waitForStatus(started.body.runId, 'waiting');
    expect(waiting.steps[0]).toMatchObject({ id: 'pause', status: 'waiting' });
    const run = await waitForRun(service, started.body.runId, 10_000);
    expect(run).toMatchObject({
      status: 'succeeded',
      playbook: { id: 'wait-and-read', version: 2 },
      output: { enabled: true },
    });
    expect(Date.parse(run.endedAt) - Date.parse(run.createdAt)).toBeGreaterThanOrEqual(2000);

    expect((await service.request('DELETE', '/api/v1/playbooks/wait-and-read')).status).toBe(204);
    expect((await service.request('GET', '/api/v1/playbooks/wait-and-read')).status).toBe(404);
  });

  it('runs a called playbook as a child run and returns its outputs', async () => {
    const parent = `id: parent-call\nname: Calls another\ninputs:\n  user: { type: string }\nsteps:\n  - id: sub\n    call:\n      playbook: disable-azure-ad-user\n      inputs:\n        user: \${{ inputs.user }}\noutputs:\n  enabled: \${{ steps.sub.output.accountEnabled }}\n`;
    expect(
      (
        await service.request('PUT', '/api/v1/playbooks/parent-call', {
          raw: parent,
          headers: { 'Content-Type': 'application/yaml' },
        })
      ).status,
    ).toBe(201);
    const started = await service.request('POST', '/api/v1/playbooks/parent-call/runs', {
      body: { connectionTarget: 'contoso', inputs: { user: DEMO.users.alex.upn } },
    });
    const run = await waitForRun(service, started.body.runId);
    expect(run).toMatchObject({ status: 'succeeded', output: { enabled: false } });
    const children = await service.request('GET', '/api/v1/runs?playbook=disable-azure-ad-user');
    const child = children.body.items.find(
      (r: { trigger: { parentRunId?: string } }) => r.trigger.parentRunId === started.body.runId,
    );
    expect(child).toMatchObject({ status: 'succeeded', trigger: { type: 'playbook' }, connectionTarget: 'contoso' });
    expect(fake.getUser(DEMO.users.alex.upn)?.accountEnabled).toBe(false);
  });

  it('answers 422 with every error at its line and column, and stores nothing', async () => {
    const broken =
      'id: broken\nname: Broken\nsteps:\n  - id: a\n    action: azure_ad.disable_usr\n    with:\n      user: ${{ inputs.nobody }}\n';
    const response = await service.request('PUT', '/api/v1/playbooks/broken', {
      raw: broken,
      headers: { 'Content-Type': 'application/yaml' },
    });
    expect(response.status).toBe(422);
    expect(response.body.errors).toEqual([
      {
        path: '/steps/0/action',
        line: 5,
        column: 13,
        file: 'broken.yaml',
        message: expect.stringMatching(/Unknown action/),
      },
      {
        path: '/steps/0/with/user',
        line: 7,
        column: 13,
        file: 'broken.yaml',
        message: expect.stringMatching(/inputs.nobody/),
      },
    ]);
    expect((await service.request('GET', '/api/v1/playbooks/broken')).status).toBe(404);
    const validated = await service.request('POST', '/api/v1/playbooks/validate', {
      raw: broken,
      headers: { 'Content-Type': 'application/yaml' },
    });
    expect(validated.body).toMatchObject({ valid: false, errors: [{ line: 5 }, { line: 7 }] });
  });

  it('serves the JSON Schema for editors without a key', async () => {
    const { status, body } = await service.request('GET', '/api/v1/schema/playbook.json', { key: null });
    expect(status).toBe(200);
    expect(body.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(body.$defs.step.properties.action).toBeDefined();
  });
});
