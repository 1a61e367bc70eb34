import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import {
  demoTarget,
  enableAutomation,
  startService,
  type TestService,
  waitForRun,
  waitForStep,
} from '../support/service.js';

/*
 * Safe by default: automation is a decision someone makes on the record, a person decides before
 * anyone is disabled, and nobody approves what they started themselves.
 */
const PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));
const yaml = { 'Content-Type': 'application/yaml' };
const compromisedAlert = (id: string, upn: string = DEMO.users.adele.upn) => ({
  id,
  title: 'Anonymous IP sign-in',
  severity: 'high',
  status: 'new',
  lastUpdateDateTime: '2026-11-22T08:00:00Z',
  evidence: [
    {
      '@odata.type': '#microsoft.graph.security.userEvidence',
      roles: ['compromised'],
      userAccount: { userPrincipalName: upn },
    },
  ],
});
const readOnAlert = (id: string, extra = '') =>
  `id: ${id}\nname: Reads the user of a test alert\n${extra}inputs:\n  user: { type: string }\ntriggers:\n  - alert: { title: { glob: "Automation test*" } }\n    inputs:\n      user: \${{ alert.users[0].userPrincipalName }}\nsteps:\n  - id: read\n    action: azure_ad.get_user\n    with:\n      user: \${{ inputs.user }}\n`;
const testAlert = (id: string) => ({
  id,
  title: `Automation test ${id}`,
  severity: 'low',
  lastUpdateDateTime: '2026-11-22T08:00:00Z',
  evidence: [
    {
      '@odata.type': '#microsoft.graph.security.userEvidence',
      userAccount: { userPrincipalName: DEMO.users.megan.upn },
    },
  ],
});

let fake: FakeCloud;
let service: TestService;
const keys: Record<'viewer' | 'analyst' | 'analyst2' | 'author' | 'ingest', string> = {
  viewer: '',
  analyst: '',
  analyst2: '',
  author: '',
  ingest: '',
};

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 20 });
  fake.seedDemo();
  service = await startService({ RIPOSTE_PLAYBOOKS_DIR: PLAYBOOKS });
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
  for (const [name, role] of [
    ['viewer', 'viewer'],
    ['analyst', 'analyst'],
    ['analyst2', 'analyst'],
    ['author', 'author'],
    ['ingest', 'ingest'],
  ] as const) {
    keys[name] = (await service.request('POST', '/api/v1/api-keys', { body: { name: `safe-${name}`, role } })).body.key;
  }
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

describe('automation is opt-in', () => {
  it('every shipped playbook arrives with automation off, and a matching alert starts nothing', async () => {
    const { body } = await service.request('GET', '/api/v1/playbooks');
    expect(body.items.length).toBeGreaterThanOrEqual(5);
    for (const playbook of body.items)
      expect(playbook, playbook.id).toMatchObject({
        enabled: false,
        automation: { enabled: false, changedBy: null, changedAt: null },
      });
    const posted = await service.request('POST', '/api/v1/alerts', {
      key: keys.ingest,
      body: compromisedAlert('off-1'),
    });
    expect(posted.status).toBe(202);
    expect(posted.body.alerts[0]).toMatchObject({ duplicate: false, runs: [] });
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(true);
  });

  it('an uploaded playbook arrives off whatever its YAML says; new versions keep the state a person chose; `enabled: false` turns it off', async () => {
    expect(
      (
        await service.request('PUT', '/api/v1/playbooks/auto-read', {
          key: keys.author,
          raw: readOnAlert('auto-read', 'enabled: true\n'),
          headers: yaml,
        })
      ).status,
    ).toBe(201);
    expect((await service.request('GET', '/api/v1/playbooks/auto-read')).body).toMatchObject({
      enabled: false,
      automation: { enabled: false },
    });
    expect(
      (await service.request('POST', '/api/v1/alerts', { key: keys.ingest, body: testAlert('up-1') })).body.alerts[0]
        .runs,
    ).toEqual([]);

    await enableAutomation(service, 'auto-read');
    // A new version (here with a description) keeps automation on: the person's decision stands.
    expect(
      (
        await service.request('PUT', '/api/v1/playbooks/auto-read', {
          key: keys.author,
          raw: readOnAlert('auto-read', 'description: v2\n'),
          headers: yaml,
        })
      ).body.version,
    ).toBe(2);
    expect((await service.request('GET', '/api/v1/playbooks/auto-read')).body.automation).toMatchObject({
      enabled: true,
    });
    expect(
      (await service.request('POST', '/api/v1/alerts', { key: keys.ingest, body: testAlert('up-2') })).body.alerts[0]
        .runs,
    ).toHaveLength(1);

    // A version that says `enabled: false` turns it off, on the record.
    await service.request('PUT', '/api/v1/playbooks/auto-read', {
      key: keys.author,
      raw: readOnAlert('auto-read', 'enabled: false\n'),
      headers: yaml,
    });
    expect((await service.request('GET', '/api/v1/playbooks/auto-read')).body.automation).toMatchObject({
      enabled: false,
      changedBy: 'safe-author',
      reason: expect.stringMatching(/version 3 says enabled: false/),
    });
    expect(
      (await service.request('POST', '/api/v1/alerts', { key: keys.ingest, body: testAlert('up-3') })).body.alerts[0]
        .runs,
    ).toEqual([]);
  });

  it('turning automation on takes an author or admin, is audited with the reason, and is shown on the playbook', async () => {
    const turnOn = (key: string, body: unknown) =>
      service.request('PUT', '/api/v1/playbooks/compromised-account/automation', { key, body });
    expect((await turnOn(keys.viewer, { enabled: true })).status).toBe(403);
    expect((await turnOn(keys.analyst, { enabled: true })).status).toBe(403);
    expect((await turnOn(keys.author, { enabled: 'yes' })).status).toBe(400);
    expect((await turnOn(keys.author, { enabled: true, reason: 'x'.repeat(501) })).status).toBe(400);
    expect(
      (
        await service.request('PUT', '/api/v1/playbooks/no-such-playbook/automation', {
          key: keys.author,
          body: { enabled: true },
        })
      ).status,
    ).toBe(404);
    const on = await turnOn(keys.author, { enabled: true, reason: 'SOC lead approved automation after the tabletop' });
    expect(on.status).toBe(200);
    expect(on.body.automation).toMatchObject({
      enabled: true,
      changedBy: 'safe-author',
      changedAt: expect.any(String),
      reason: 'SOC lead approved automation after the tabletop',
    });
    const shown = await service.request('GET', '/api/v1/playbooks/compromised-account', { key: keys.viewer });
    expect(shown.body).toMatchObject({ enabled: true, automation: on.body.automation });
    expect(
      (await service.request('GET', '/api/v1/playbooks', { key: keys.viewer })).body.items.find(
        (p: { id: string }) => p.id === 'compromised-account',
      ),
    ).toMatchObject({ enabled: true, automation: { changedBy: 'safe-author' } });
    const audit = await service.request('GET', '/api/v1/audit?action=playbook.automation');
    expect(audit.body.items[0]).toMatchObject({
      actor: 'safe-author',
      actorRole: 'author',
      result: 'success',
      targetEntity: 'compromised-account',
      detail: expect.objectContaining({ enabled: true, reason: 'SOC lead approved automation after the tabletop' }),
    });
    expect(audit.body.items.filter((r: { result: string }) => r.result === 'failure').length).toBeGreaterThanOrEqual(1);
  });

  it('with automation on, the shipped playbook waits for a person before anyone is disabled, and says so in the run list', async () => {
    const posted = await service.request('POST', '/api/v1/alerts', {
      key: keys.ingest,
      body: compromisedAlert('on-1', DEMO.users.megan.upn),
    });
    const runId = posted.body.alerts[0].runs[0];
    expect(runId).toEqual(expect.any(String));
    await waitForStep(service, runId, 'approve_containment');
    expect(fake.getUser(DEMO.users.megan.upn)?.accountEnabled).toBe(true);
    expect(fake.count({ service: 'graph', method: 'PATCH' })).toBe(0);

    // One request answers an inbox: what each waiting run waits for. (The step shows waiting a
    // moment before the run is parked as `waiting`: the inbox lists it from then on.)
    let item: { waitingFor?: unknown } | undefined;
    for (const deadline = Date.now() + 15_000; !item; await new Promise((r) => setTimeout(r, 50))) {
      const inbox = await service.request('GET', '/api/v1/runs?status=waiting', { key: keys.viewer });
      item = inbox.body.items.find((r: { id: string }) => r.id === runId);
      if (!item && Date.now() > deadline) throw new Error(`run ${runId} is not listed as waiting`);
    }
    expect(item.waitingFor).toEqual([
      {
        step: 'approve_containment',
        kind: 'approval',
        prompt: expect.stringContaining(DEMO.users.megan.upn),
        approvers: ['analyst'],
        deadline: expect.any(String),
      },
    ]);

    // A decision sent to the wrong step says which step waits.
    const wrong = await service.request('POST', `/api/v1/runs/${runId}/approvals/approve_isolation`, {
      key: keys.analyst,
      body: { decision: 'approve' },
    });
    expect(wrong.status).toBe(409);
    expect(wrong.body.detail).toMatch(/waits at 'approve_containment'/);

    const rejected = await service.request('POST', `/api/v1/runs/${runId}/approvals/approve_containment`, {
      key: keys.analyst,
      body: { decision: 'reject', comment: 'phishing recipient, did not click' },
    });
    expect(rejected.status).toBe(200);
    const run = await waitForRun(service, runId);
    expect(run).toMatchObject({ status: 'succeeded', output: { containment: 'reject', disabled: false } });
    expect(fake.getUser(DEMO.users.megan.upn)?.accountEnabled).toBe(true);
    await service.request('PUT', '/api/v1/playbooks/compromised-account/automation', {
      key: keys.author,
      body: { enabled: false, reason: 'test done' },
    });
  });
});

describe('approvals a SOC can defend', () => {
  it('whoever started a run cannot decide its approval; someone else can, and the decision is audited with who, when and the comment', async () => {
    const started = await service.request('POST', '/api/v1/playbooks/compromised-account/runs', {
      key: keys.analyst,
      body: { connectionTarget: 'contoso', inputs: { user: DEMO.users.alex.upn }, reason: 'user reported MFA prompts' },
    });
    expect(started.status).toBe(202);
    const runId = started.body.runId;
    await waitForStep(service, runId, 'approve_containment');
    const self = await service.request('POST', `/api/v1/runs/${runId}/approvals/approve_containment`, {
      key: keys.analyst,
      body: { decision: 'approve' },
    });
    expect(self.status).toBe(403);
    expect(self.body).toMatchObject({
      code: 'self_approval',
      detail: expect.stringMatching(/safe-analyst.*started run.*four eyes/),
    });
    expect(fake.getUser(DEMO.users.alex.upn)?.accountEnabled).toBe(true);

    const other = await service.request('POST', `/api/v1/runs/${runId}/approvals/approve_containment`, {
      key: keys.analyst2,
      body: { decision: 'approve', comment: 'called the user: not them' },
    });
    expect(other.status).toBe(200);
    expect((await waitForRun(service, runId)).status).toBe('succeeded');
    expect(fake.getUser(DEMO.users.alex.upn)?.accountEnabled).toBe(false);

    const audit = (await service.request('GET', `/api/v1/audit?runId=${runId}&limit=500`)).body.items;
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'approval.approve',
        actor: 'safe-analyst2',
        detail: {
          decision: 'approve',
          comment: 'called the user: not them',
          decidedBy: 'safe-analyst2',
          decidedAt: expect.any(String),
        },
      }),
    );
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'run.decide',
        actor: 'safe-analyst',
        result: 'failure',
        detail: expect.objectContaining({ status: 403, code: 'self_approval' }),
      }),
    );
    // The reason given when the run was started is on the run and in its audit record.
    expect((await service.request('GET', `/api/v1/runs/${runId}`)).body.reason).toBe('user reported MFA prompts');
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'playbook.run',
        actor: 'safe-analyst',
        detail: expect.objectContaining({ reason: 'user reported MFA prompts' }),
      }),
    );
  });

  it('a step held by a guardrail cannot be released by whoever started the run either', async () => {
    await service.request('PATCH', '/api/v1/guardrails', {
      body: { budgets: { 'azure_ad.revoke_sessions': { limit: 0, window: '1h' } } },
    });
    try {
      const answer = await service.request('POST', '/api/v1/responses?wait=10', {
        key: keys.analyst,
        body: {
          action: 'azure_ad.revoke_sessions',
          connectionTarget: 'contoso',
          input: { user: DEMO.users.megan.upn },
          reason: 'token theft suspected',
        },
      });
      expect(answer.body.status).toBe('waiting');
      const runId = answer.body.runId;
      const held = (await service.request('GET', `/api/v1/runs/${runId}`)).body.waitingFor[0];
      expect(held).toMatchObject({ kind: 'budget' });
      const inbox = (await service.request('GET', '/api/v1/runs?status=waiting&limit=500')).body.items.find(
        (r: { id: string }) => r.id === runId,
      );
      expect(inbox.waitingFor).toEqual([
        expect.objectContaining({ step: held.step, kind: 'budget', approvers: ['analyst'] }),
      ]);
      expect(
        (
          await service.request('POST', `/api/v1/runs/${runId}/approvals/${held.step}`, {
            key: keys.analyst,
            body: { decision: 'approve' },
          })
        ).body.code,
      ).toBe('self_approval');
      const wrong = await service.request('POST', `/api/v1/runs/${runId}/approvals/nope`, {
        key: keys.analyst2,
        body: { decision: 'approve' },
      });
      expect(wrong).toMatchObject({
        status: 409,
        body: { detail: expect.stringContaining(`waits at '${held.step}'`) },
      });
      expect(
        (
          await service.request('POST', `/api/v1/runs/${runId}/approvals/${held.step}`, {
            key: keys.analyst2,
            body: { decision: 'reject', comment: 'not needed' },
          })
        ).status,
      ).toBe(200);
      expect((await waitForRun(service, runId)).error).toMatchObject({ code: 'budget_rejected' });
      const audit = (await service.request('GET', `/api/v1/audit?runId=${runId}&limit=500`)).body.items;
      expect(audit).toContainEqual(
        expect.objectContaining({
          action: 'guardrail_hold.reject',
          actor: 'safe-analyst2',
          detail: expect.objectContaining({ comment: 'not needed', decidedAt: expect.any(String) }),
        }),
      );
      expect(audit).toContainEqual(
        expect.objectContaining({
          action: 'response.start',
          detail: expect.objectContaining({ reason: 'token theft suspected' }),
        }),
      );
    } finally {
      await service.request('PATCH', '/api/v1/guardrails', {
        body: { budgets: { 'azure_ad.revoke_sessions': { limit: 100, window: '1h' } } },
      });
    }
  });

  it('RIPOSTE_ALLOW_SELF_APPROVAL relaxes four eyes when a team decides so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'riposte-self-'));
    writeFileSync(
      join(dir, 'ask.yaml'),
      'id: ask\nname: Ask\nsteps:\n  - id: confirm\n    approval: { prompt: "Go?" }\n',
    );
    const relaxed = await startService({ RIPOSTE_PLAYBOOKS_DIR: dir, RIPOSTE_ALLOW_SELF_APPROVAL: 'true' });
    try {
      const started = await relaxed.request('POST', '/api/v1/playbooks/ask/runs', { body: {} });
      await waitForStep(relaxed, started.body.runId, 'confirm');
      expect(
        (
          await relaxed.request('POST', `/api/v1/runs/${started.body.runId}/approvals/confirm`, {
            body: { decision: 'approve' },
          })
        ).status,
      ).toBe(200);
      expect((await waitForRun(relaxed, started.body.runId)).status).toBe('succeeded');
    } finally {
      await relaxed.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
