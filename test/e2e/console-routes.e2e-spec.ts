import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRecordEntity, Database } from '@riposte/persistence';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService, waitForRun, waitForStep } from '../support/service.js';

/*
 * The routes the console's screens stand on: the approvals history, the audit chain's
 * verification, the runs list's time window, and undoing one change of a run at a time.
 */
let fake: FakeCloud;
let service: TestService;
let analystKey: string;
let viewerKey: string;

/** Asks a person, then disables two users: two changes of one run, each of which can be undone alone. */
const TWO_CHANGES = readFileSync(new URL('../fixtures/two-changes.yaml', import.meta.url), 'utf8');

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 20 });
  fake.seedDemo();
  service = await startService();
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
  analystKey = (await service.request('POST', '/api/v1/api-keys', { body: { name: 'decider', role: 'analyst' } })).body
    .key;
  viewerKey = (await service.request('POST', '/api/v1/api-keys', { body: { name: 'reader', role: 'viewer' } })).body
    .key;
  const saved = await service.request('PUT', '/api/v1/playbooks/two-changes', {
    raw: TWO_CHANGES,
    headers: { 'Content-Type': 'application/yaml' },
  });
  expect(saved.status, saved.text).toBe(201);
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

async function startTwoChanges(first: string, second: string): Promise<string> {
  const started = await service.request('POST', '/api/v1/playbooks/two-changes/runs', {
    body: { connectionTarget: 'contoso', inputs: { first, second }, reason: 'console routes' },
  });
  expect(started.status, started.text).toBe(202);
  await waitForStep(service, started.body.runId, 'ask');
  return started.body.runId;
}

describe('the routes behind the console', () => {
  let runId = '';

  it('lists decided approvals, newest first, with who, when, the decision and the comment', async () => {
    runId = await startTwoChanges(DEMO.users.adele.upn, DEMO.users.megan.upn);
    const decided = await service.request('POST', `/api/v1/runs/${runId}/approvals/ask`, {
      key: analystKey,
      body: { decision: 'approve', comment: 'Both accounts sent the phishing mail.' },
    });
    expect(decided.status, decided.text).toBe(200);
    expect((await waitForRun(service, runId)).status).toBe('succeeded');
    const rejectedRun = await startTwoChanges(DEMO.users.alex.upn, DEMO.users.nestor.upn);
    expect(
      (
        await service.request('POST', `/api/v1/runs/${rejectedRun}/approvals/ask`, {
          key: analystKey,
          body: { decision: 'reject', comment: 'False positive.' },
        })
      ).status,
    ).toBe(200);

    const history = await service.request('GET', '/api/v1/approvals/history?limit=1', { key: viewerKey });
    expect(history.status, history.text).toBe(200);
    expect(history.body.items).toEqual([
      {
        id: expect.any(String),
        runId: rejectedRun,
        playbook: { id: 'two-changes', version: 1 },
        step: 'ask',
        kind: 'approval',
        decision: 'reject',
        comment: 'False positive.',
        decidedBy: 'decider',
        decidedByRole: 'analyst',
        decidedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    const next = await service.request(
      'GET',
      `/api/v1/approvals/history?limit=1&cursor=${encodeURIComponent(history.body.nextCursor)}`,
      { key: viewerKey },
    );
    expect(next.body.items).toMatchObject([
      { runId, decision: 'approve', comment: 'Both accounts sent the phishing mail.' },
    ]);
    const bad = await service.request('GET', '/api/v1/approvals/history?limit=0', { key: viewerKey });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'limit' }] });
  });

  it('undoes one change of a run, then the rest, and never the same change twice', async () => {
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(false);
    expect(fake.getUser(DEMO.users.megan.upn)?.accountEnabled).toBe(false);
    const unknown = await service.request('POST', `/api/v1/runs/${runId}/revert`, {
      key: analystKey,
      body: { steps: ['ask'] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'validation_failed', errors: [{ path: '/steps/0' }] });
    expect(unknown.body.detail).toContain("'disable_first'");

    const one = await service.request('POST', `/api/v1/runs/${runId}/revert`, {
      key: analystKey,
      body: { steps: ['disable_second'] },
    });
    expect(one.status, one.text).toBe(202);
    expect(await waitForRun(service, one.body.runId)).toMatchObject({
      status: 'succeeded',
      trigger: { type: 'revert', revertOf: runId },
      steps: [{ id: 'revert-disable_second', action: 'azure_ad.enable_user', status: 'succeeded' }],
    });
    expect(fake.getUser(DEMO.users.megan.upn)?.accountEnabled).toBe(true);
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(false);

    const again = await service.request('POST', `/api/v1/runs/${runId}/revert`, {
      key: analystKey,
      body: { steps: ['disable_second'] },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_reverted');

    // The whole run: only what is left is undone.
    const rest = await service.request('POST', `/api/v1/runs/${runId}/revert`, { key: analystKey });
    expect(rest.status, rest.text).toBe(202);
    expect((await waitForRun(service, rest.body.runId)).steps.map((s: { id: string }) => s.id)).toEqual([
      'revert-disable_first',
    ]);
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(true);
    expect((await service.request('POST', `/api/v1/runs/${runId}/revert`, { key: analystKey })).body.code).toBe(
      'already_reverted',
    );
  });

  it('makes one revert when two people undo the same change at the same moment', async () => {
    // Nestor is protected (a Security Administrator): Adele, enabled again above, is the second.
    const twice = await startTwoChanges(DEMO.users.alex.upn, DEMO.users.adele.upn);
    expect(
      (
        await service.request('POST', `/api/v1/runs/${twice}/approvals/ask`, {
          key: analystKey,
          body: { decision: 'approve', comment: 'Contain both.' },
        })
      ).status,
    ).toBe(200);
    const ran = await waitForRun(service, twice);
    expect(ran.status, JSON.stringify(ran.error)).toBe('succeeded');
    const answers = await Promise.all(
      [1, 2].map(() =>
        service.request('POST', `/api/v1/runs/${twice}/revert`, {
          key: analystKey,
          body: { steps: ['disable_first'] },
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    expect(answers.find((a) => a.status === 409)?.body.code).toBe('already_reverted');
    const started = answers.find((a) => a.status === 202)!;
    expect((await waitForRun(service, started.body.runId)).status).toBe('succeeded');
    expect(fake.getUser(DEMO.users.alex.upn)?.accountEnabled).toBe(true);
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(false);
  });

  it('filters runs by the time they were created, and by connection target', async () => {
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    const recent = await service.request('GET', `/api/v1/runs?from=${encodeURIComponent(hourAgo)}&limit=500`);
    expect(recent.status, recent.text).toBe(200);
    expect(recent.body.items.map((r: { id: string }) => r.id)).toContain(runId);
    const before = await service.request('GET', `/api/v1/runs?to=${encodeURIComponent(hourAgo)}`);
    expect(before.body.items).toEqual([]);
    // Paging keeps the window: two runs a page, all of them inside it.
    const first = await service.request('GET', `/api/v1/runs?from=${encodeURIComponent(hourAgo)}&limit=2`);
    const second = await service.request(
      'GET',
      `/api/v1/runs?from=${encodeURIComponent(hourAgo)}&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    const paged = [...first.body.items, ...second.body.items].map((r: { id: string }) => r.id);
    expect(paged).toEqual(recent.body.items.slice(0, 4).map((r: { id: string }) => r.id));
    expect((await service.request('GET', `/api/v1/runs?connectionTarget=contoso&limit=500`)).body.items.length).toBe(
      recent.body.items.length,
    );
    expect((await service.request('GET', `/api/v1/runs?connectionTarget=elsewhere`)).body.items).toEqual([]);

    const backwards = await service.request(
      'GET',
      `/api/v1/runs?from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(hourAgo)}`,
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body).toMatchObject({ code: 'validation_failed', errors: [{ path: '/to' }] });
    const notATime = await service.request('GET', '/api/v1/runs?from=yesterday');
    expect(notATime.status).toBe(400);
    expect(notATime.body.errors[0].path).toBe('from');
  });

  it('verifies the audit chain for an admin, and names the first record that was edited', async () => {
    expect((await service.request('GET', '/api/v1/audit/verify', { key: analystKey })).status).toBe(403);
    const intact = await service.request('GET', '/api/v1/audit/verify');
    expect(intact.status, intact.text).toBe(200);
    expect(intact.body).toEqual({
      ok: true,
      checked: expect.any(Number),
      head: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(intact.body.checked).toBeGreaterThan(5);

    const db = service.app.get(Database);
    const [victim] = await db.reader.find(AuditRecordEntity, { order: { seq: 'ASC' }, skip: 3, take: 1 });
    await db.transaction((m) => m.update(AuditRecordEntity, { id: victim!.id }, { actor: 'someone-else' }));
    const broken = await service.request('GET', '/api/v1/audit/verify');
    expect(broken.body).toMatchObject({
      ok: false,
      checked: 3,
      firstBroken: { seq: victim!.seq, id: victim!.id, reason: expect.stringContaining('edited') },
    });
  });

  it('rehearses a posted playbook against posted cases, with scripted results and nothing sent', async () => {
    const playbook = readFileSync(new URL('../../playbooks/disable-azure-ad-user.yaml', import.meta.url), 'utf8');
    const rehearsal = readFileSync(
      new URL('../../playbooks/tests/disable-azure-ad-user.rehearsal.yaml', import.meta.url),
      'utf8',
    );
    const calls = fake.count({});
    const passed = await service.request('POST', '/api/v1/playbooks/rehearse', { body: { playbook, rehearsal } });
    expect(passed.status, passed.text).toBe(200);
    expect(passed.body).toMatchObject({ playbook: 'disable-azure-ad-user', failed: 0 });
    expect(passed.body.passed).toBe(passed.body.cases.length);
    expect(passed.body.cases[0]).toMatchObject({
      name: 'disables the user',
      passed: true,
      status: 'succeeded',
      path: ['disable'],
    });
    expect(fake.count({})).toBe(calls);

    const wrong = await service.request('POST', '/api/v1/playbooks/rehearse', {
      body: { playbook, rehearsal: rehearsal.replace('path: [disable]', 'path: [disable, disable]') },
    });
    expect(wrong.body.failed).toBe(1);
    expect(wrong.body.cases[0]).toMatchObject({ passed: false, problems: [expect.stringContaining('expected path')] });

    const badPlaybook = await service.request('POST', '/api/v1/playbooks/rehearse', {
      body: { playbook: playbook.replace('azure_ad.disable_user', 'azure_ad.disable_usr'), rehearsal },
    });
    expect(badPlaybook.status).toBe(422);
    expect(badPlaybook.body.code).toBe('invalid_playbook');
    expect(badPlaybook.body.errors[0]).toMatchObject({
      line: expect.any(Number),
      message: expect.stringContaining('disable_usr'),
    });

    const badRehearsal = await service.request('POST', '/api/v1/playbooks/rehearse', {
      body: {
        playbook,
        rehearsal: 'playbook: disable-azure-ad-user\ncases:\n  - name: x\n    expect: { status: maybe }\n',
      },
    });
    expect(badRehearsal.status).toBe(400);
    expect(badRehearsal.body.errors[0]).toMatchObject({ path: '/rehearsal', line: 4 });

    const otherPlaybook = await service.request('POST', '/api/v1/playbooks/rehearse', {
      body: { playbook, rehearsal: rehearsal.replace('playbook: disable-azure-ad-user', 'playbook: risky-user') },
    });
    expect(otherPlaybook.status).toBe(400);
    expect(otherPlaybook.body.detail).toContain("'risky-user'");
    expect(
      (await service.request('POST', '/api/v1/playbooks/rehearse', { key: analystKey, body: { playbook, rehearsal } }))
        .status,
    ).toBe(403);
  });
});
