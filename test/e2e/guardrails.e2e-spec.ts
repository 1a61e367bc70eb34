import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { ConnectionTargetsService } from '@riposte/connection-targets';
import { ProtectionService } from '@riposte/guardrails';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import {
  demoTarget,
  enableAutomation,
  startService,
  type TestService,
  waitForRun,
  waitForStep,
} from '../support/service.js';

const PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));
const disableOnAlert = `id: disable-on-alert\nname: Disable the user of a guardrail test alert\ninputs:\n  user: { type: string }\ntriggers:\n  - alert: { title: { glob: "Guardrail test*" } }\n    inputs:\n      user: \${{ alert.users[0].userPrincipalName }}\nsteps:\n  - id: disable\n    action: azure_ad.disable_user\n    with:\n      user: \${{ inputs.user }}\n`;
// Low severity: only the test playbook fires, not the shipped compromised-account playbook.
const alertFor = (i: number, upn: string, severity = 'low') => ({
  id: `guard-${i}-${upn}`,
  title: `Guardrail test ${i}`,
  severity,
  lastUpdateDateTime: '2026-11-22T08:00:00Z',
  evidence: [{ '@odata.type': '#microsoft.graph.security.userEvidence', userAccount: { userPrincipalName: upn } }],
});

let fake: FakeCloud;
let service: TestService;
/** Decides held steps: the admin posts the alerts and starts the runs, and may not approve them too. */
let analystKey: string;

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 20 });
});
afterEach(async () => {
  await service?.close();
});
afterAll(async () => {
  await fake?.close();
});

async function boot(): Promise<void> {
  fake.reset();
  fake.seedDemo();
  service = await startService({ RIPOSTE_PLAYBOOKS_DIR: PLAYBOOKS });
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
  expect(
    (
      await service.request('PUT', '/api/v1/playbooks/disable-on-alert', {
        raw: disableOnAlert,
        headers: { 'Content-Type': 'application/yaml' },
      })
    ).status,
  ).toBe(201);
  await enableAutomation(service, 'disable-on-alert');
  await enableAutomation(service, 'compromised-account');
  analystKey = (
    await service.request('POST', '/api/v1/api-keys', { body: { name: 'second-analyst', role: 'analyst' } })
  ).body.key;
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}

const runsOf = async (playbook: string) =>
  (await service.request('GET', `/api/v1/runs?playbook=${playbook}&limit=500`)).body.items as {
    id: string;
    status: string;
  }[];

describe('protected accounts', () => {
  it('an alert about a break-glass administrator fails its run safely, with the reason in the timeline and the audit', async () => {
    await boot();
    const posted = await service.request('POST', '/api/v1/alerts', {
      body: {
        ...alertFor(1, DEMO.users.breakGlass.upn, 'high'),
        title: 'Impossible travel for the break-glass account',
      },
    });
    const runId = posted.body.alerts[0].runs.find(Boolean);
    await waitForStep(service, runId, 'approve_containment');
    expect(
      (
        await service.request('POST', `/api/v1/runs/${runId}/approvals/approve_containment`, {
          key: analystKey,
          body: { decision: 'approve' },
        })
      ).status,
    ).toBe(200);
    const run = await waitForRun(service, runId);
    expect(run).toMatchObject({ playbook: { id: 'compromised-account' }, status: 'failed' });
    // Disable and revoke run in parallel: the first refusal fails the run, the other step is refused too or cancelled with it.
    const refused = run.steps.filter(
      (s: { id: string; error: { code: string } | null }) =>
        ['disable', 'revoke'].includes(s.id) && s.error?.code === 'protected_entity',
    );
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0].error.message).toMatch(
      /Refused: .*breakglass-admin.* holds the Global Administrator role\. Riposte never acts on protected/,
    );
    for (const step of run.steps.filter((s: { id: string }) => ['disable', 'revoke'].includes(s.id)))
      expect(['failed', 'cancelled']).toContain(step.status);
    expect(run.timeline).toContainEqual(
      expect.objectContaining({
        type: 'step.failed',
        step: refused[0].id,
        detail: { error: expect.objectContaining({ code: 'protected_entity' }) },
      }),
    );
    expect(fake.getUser(DEMO.users.breakGlass.upn)?.accountEnabled).toBe(true);
    expect(fake.count({ service: 'graph', method: 'PATCH', path: '/users/' })).toBe(0);
    const audit = await service.request('GET', `/api/v1/audit?runId=${runId}`);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        action: `action.azure_ad.${refused[0].id === 'disable' ? 'disable_user' : 'revoke_sessions'}`,
        result: 'denied',
        targetEntity: `user:${DEMO.users.breakGlass.upn}`,
      }),
    );
  });

  it('refuses users, groups and machine tags protected through the API, also in dry runs', async () => {
    await boot();
    await service.request('POST', '/api/v1/guardrails/protected', {
      body: { kind: 'machineTag', value: 'Domain Controller', reason: 'never isolate a DC' },
    });
    fake.addMachine({
      id: 'dc01000000000000000000000000000000000001',
      computerDnsName: 'dc01.contoso.com',
      machineTags: ['Domain Controller'],
    });
    const isolate = await service.request('POST', '/api/v1/responses?wait=10', {
      body: { action: 'defender.isolate_machine', connectionTarget: 'contoso', input: { machine: 'dc01.contoso.com' } },
    });
    expect(isolate.body.steps[0].error).toMatchObject({
      code: 'protected_entity',
      message: expect.stringMatching(/protected Defender tag 'domain controller'/),
    });

    const listed = await service.request('POST', '/api/v1/guardrails/protected', {
      body: { kind: 'user', value: DEMO.users.megan.upn },
    });
    const dry = await service.request('POST', '/api/v1/responses?wait=10', {
      body: {
        action: 'azure_ad.disable_user',
        connectionTarget: 'contoso',
        input: { user: DEMO.users.megan.upn },
        dryRun: true,
      },
    });
    expect(dry.body.steps[0].error.code).toBe('protected_entity');
    expect((await service.request('DELETE', `/api/v1/guardrails/protected/${listed.body.id}`)).status).toBe(204);
    const allowed = await service.request('POST', '/api/v1/responses?wait=10', {
      body: { action: 'azure_ad.disable_user', connectionTarget: 'contoso', input: { user: DEMO.users.megan.upn } },
    });
    expect(allowed.body.status).toBe('succeeded');
    expect((await service.request('GET', '/api/v1/guardrails')).body).toMatchObject({
      protectDirectoryRoles: true,
      maxEntitiesPerRun: 10,
      budgets: { 'azure_ad.disable_user': { limit: 20, windowSeconds: 3600 } },
    });
  });

  it('fails closed on a kind of entity it has no rule for, and lets through kinds that name no person or machine', async () => {
    await boot();
    const protection = service.app.get(ProtectionService);
    const target = await service.app.get(ConnectionTargetsService).resolve('contoso');
    expect(await protection.refusal('gizmo:1', target)).toMatch(/cannot tell whether gizmo:1 is protected/);
    expect(await protection.refusal('indicator:url:https://evil.example', target)).toBeNull();
  });
});

describe('blast-radius budgets', () => {
  it('50 alerts that would each disable a different user: 20 are disabled, 30 wait for approval', async () => {
    await boot();
    const users = Array.from({ length: 50 }, (_, i) => `user${String(i).padStart(2, '0')}@contoso.com`);
    for (const upn of users) fake.addUser({ userPrincipalName: upn, displayName: upn });
    await Promise.all(users.map((upn, i) => service.request('POST', '/api/v1/alerts', { body: alertFor(i, upn) })));
    const runs = await until(async () => {
      const list = await runsOf('disable-on-alert');
      return list.length === 50 &&
        list.filter((r) => r.status === 'succeeded').length === 20 &&
        list.filter((r) => r.status === 'waiting').length === 30
        ? list
        : undefined;
    });
    expect(users.filter((u) => fake.getUser(u)?.accountEnabled === false)).toHaveLength(20);
    const held = runs.find((r) => r.status === 'waiting') as { id: string };
    const detail = (await service.request('GET', `/api/v1/runs/${held.id}`)).body;
    expect(detail.waitingFor).toEqual([
      {
        step: 'disable',
        kind: 'budget',
        prompt: expect.stringMatching(/budget of 20 × azure_ad.disable_user per 60 min on 'contoso' is used up/),
        approvers: ['analyst'],
        deadline: null,
      },
    ]);

    expect(
      (
        await service.request('POST', `/api/v1/runs/${held.id}/approvals/disable`, {
          key: analystKey,
          body: { decision: 'approve', comment: 'confirmed phishing wave' },
        })
      ).status,
    ).toBe(200);
    expect((await waitForRun(service, held.id)).status).toBe('succeeded');
    expect(users.filter((u) => fake.getUser(u)?.accountEnabled === false)).toHaveLength(21);
    const rejected = runs.find((r) => r.status === 'waiting' && r.id !== held.id) as { id: string };
    await service.request('POST', `/api/v1/runs/${rejected.id}/approvals/disable`, {
      key: analystKey,
      body: { decision: 'reject' },
    });
    expect((await waitForRun(service, rejected.id)).error).toMatchObject({ code: 'budget_rejected' });
  });

  it('a run about to touch more than 10 entities waits for approval once, then goes on', async () => {
    await boot();
    const users = Array.from({ length: 12 }, (_, i) => `wide${i}@contoso.com`);
    for (const upn of users) fake.addUser({ userPrincipalName: upn });
    const playbook = `id: wide\nname: Disable many\ninputs:\n  users: { type: array, items: { type: string } }\nsteps:\n  - id: each\n    forEach:\n      items: \${{ inputs.users }}\n      concurrency: 1\n      steps:\n        - id: disable\n          action: azure_ad.disable_user\n          with:\n            user: \${{ item }}\n`;
    await service.request('PUT', '/api/v1/playbooks/wide', {
      raw: playbook,
      headers: { 'Content-Type': 'application/yaml' },
    });
    const started = await service.request('POST', '/api/v1/playbooks/wide/runs', {
      body: { connectionTarget: 'contoso', inputs: { users } },
    });
    const waiting = await until(async () => {
      const run = (await service.request('GET', `/api/v1/runs/${started.body.runId}`)).body;
      return run.waitingFor?.length ? run : undefined;
    });
    expect(waiting.waitingFor).toEqual([
      expect.objectContaining({
        step: 'disable[10]',
        kind: 'blast_radius',
        prompt: expect.stringMatching(/11th entity/),
      }),
    ]);
    expect(users.filter((u) => fake.getUser(u)?.accountEnabled === false)).toHaveLength(10);
    await service.request('POST', `/api/v1/runs/${started.body.runId}/approvals/disable[10]`, {
      key: analystKey,
      body: { decision: 'approve' },
    });
    expect((await waitForRun(service, started.body.runId)).status).toBe('succeeded');
    expect(users.filter((u) => fake.getUser(u)?.accountEnabled === false)).toHaveLength(12);
  });
});

describe('the kill switch', () => {
  it('holds alert-fired runs while paused, lets analysts act, and resumes them', async () => {
    await boot();
    expect(
      (await service.request('POST', '/api/v1/automation/pause', { body: { reason: 'false positive storm' } })).body,
    ).toMatchObject({ paused: true, reason: 'false positive storm' });
    const posted = await service.request('POST', '/api/v1/alerts', { body: alertFor(1, DEMO.users.alex.upn) });
    const runId = posted.body.alerts[0].runs.find(Boolean);
    await until(async () =>
      (await service.request('GET', `/api/v1/runs/${runId}`)).body.status === 'waiting' ? true : undefined,
    );
    expect(fake.getUser(DEMO.users.alex.upn)?.accountEnabled).toBe(true);

    const byHand = await service.request('POST', '/api/v1/responses?wait=10', {
      body: { action: 'azure_ad.disable_user', connectionTarget: 'contoso', input: { user: DEMO.users.megan.upn } },
    });
    expect(byHand.body.status).toBe('succeeded');

    expect((await service.request('POST', '/api/v1/automation/resume')).body.paused).toBe(false);
    expect((await waitForRun(service, runId)).status).toBe('succeeded');
    expect(fake.getUser(DEMO.users.alex.upn)?.accountEnabled).toBe(false);
    const audit = await service.request('GET', '/api/v1/audit?action=automation.pause');
    expect(audit.body.items[0]).toMatchObject({
      actor: 'admin (RIPOSTE_ADMIN_KEY)',
      detail: { reason: 'false positive storm' },
    });
  });
});

describe('held steps', () => {
  it('a simple response over its budget waits, survives a restart, and goes on when approved', async () => {
    await boot();
    await service.request('PATCH', '/api/v1/guardrails', {
      body: { budgets: { 'azure_ad.revoke_sessions': { limit: 1, window: '1h' } } },
    });
    const revoke = (user: string) =>
      service.request('POST', '/api/v1/responses?wait=10', {
        body: { action: 'azure_ad.revoke_sessions', connectionTarget: 'contoso', input: { user } },
      });
    expect((await revoke(DEMO.users.alex.upn)).body.status).toBe('succeeded');
    const answer = await revoke(DEMO.users.megan.upn);
    expect(answer).toMatchObject({ status: 202, body: { status: 'waiting' } });
    const held = (await service.request('GET', `/api/v1/runs/${answer.body.runId}`)).body;
    expect(held).toMatchObject({ status: 'waiting', steps: [{ status: 'waiting', attempts: 1 }] });
    expect(fake.count({ service: 'graph', method: 'POST', path: 'revokeSignInSessions' })).toBe(1);

    const dataDir = service.dataDir;
    await service.close({ keepData: true });
    service = await startService({ RIPOSTE_PLAYBOOKS_DIR: PLAYBOOKS }, dataDir);
    expect((await service.request('GET', `/api/v1/runs/${held.id}`)).body).toMatchObject({
      status: 'waiting',
      waitingFor: [{ step: held.steps[0].id, kind: 'budget' }],
    });
    expect(
      (
        await service.request('POST', `/api/v1/runs/${held.id}/approvals/${held.steps[0].id}`, {
          key: analystKey,
          body: { decision: 'approve' },
        })
      ).status,
    ).toBe(200);
    expect(await waitForRun(service, held.id)).toMatchObject({
      status: 'succeeded',
      steps: [{ status: 'succeeded', attempts: 1 }],
    });
    expect(fake.count({ service: 'graph', method: 'POST', path: 'revokeSignInSessions' })).toBe(2);
    const audit = (await service.request('GET', `/api/v1/audit?runId=${held.id}`)).body.items;
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'guardrail_hold.approve',
        actor: 'second-analyst',
        detail: expect.objectContaining({
          decision: 'approve',
          decidedBy: 'second-analyst',
          decidedAt: expect.any(String),
        }),
      }),
    );
  });

  it('while paused, an analyst can let one alert-fired step act, or reject it', async () => {
    await boot();
    await service.request('POST', '/api/v1/automation/pause', { body: { reason: 'maintenance' } });
    const [first, second] = (await Promise.all(
      [DEMO.users.alex.upn, DEMO.users.megan.upn].map(
        async (upn, i) =>
          (await service.request('POST', '/api/v1/alerts', { body: alertFor(i, upn) })).body.alerts[0]
            .runs[0] as string,
      ),
    )) as [string, string];
    for (const runId of [first, second]) {
      const run = await until(async () => {
        const detail = (await service.request('GET', `/api/v1/runs/${runId}`)).body;
        return detail.status === 'waiting' ? detail : undefined;
      });
      expect(run.waitingFor).toEqual([
        {
          step: 'disable',
          kind: 'paused',
          prompt: expect.stringMatching(/paused \(by admin .*: maintenance\)/),
          approvers: ['analyst'],
          deadline: null,
        },
      ]);
    }
    await service.request('POST', `/api/v1/runs/${first}/approvals/disable`, {
      key: analystKey,
      body: { decision: 'approve', comment: 'confirmed' },
    });
    await service.request('POST', `/api/v1/runs/${second}/approvals/disable`, {
      key: analystKey,
      body: { decision: 'reject' },
    });
    expect((await waitForRun(service, first)).status).toBe('succeeded');
    expect((await waitForRun(service, second)).error).toMatchObject({ code: 'paused_rejected' });
    expect(fake.getUser(DEMO.users.alex.upn)?.accountEnabled).toBe(false);
    expect(fake.getUser(DEMO.users.megan.upn)?.accountEnabled).toBe(true);
    expect((await service.request('GET', '/api/v1/automation')).body.paused).toBe(true);
  });
});
