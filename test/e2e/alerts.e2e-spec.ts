import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '@riposte/alerts';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, enableAutomation, startService, type TestService, waitForStep } from '../support/service.js';

const PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));
const WEBHOOK_SECRET = 'test-webhook-secret-0123456789-abcdefghij';
const docsExample = JSON.parse(readFileSync(new URL('../fixtures/defender-alert-v2.json', import.meta.url), 'utf8'));

/** Microsoft's documented example, made severe and given the compromised user, so it fires compromised-account. */
function defenderAlert(id: string, lastUpdate = '2026-11-22T08:00:00.0000000Z') {
  return {
    ...docsExample,
    id,
    providerAlertId: id,
    tenantId: DEMO.tenantId,
    severity: 'high',
    lastUpdateDateTime: lastUpdate,
    evidence: [
      ...docsExample.evidence.map((e: Record<string, unknown>) =>
        e['@odata.type'] === '#microsoft.graph.security.deviceEvidence'
          ? { ...e, mdeDeviceId: DEMO.machines.webServer.id, deviceDnsName: DEMO.machines.webServer.dnsName }
          : e,
      ),
      {
        '@odata.type': '#microsoft.graph.security.userEvidence',
        roles: ['compromised'],
        verdict: 'suspicious',
        userAccount: {
          accountName: 'adelev',
          userPrincipalName: DEMO.users.adele.upn,
          azureAdUserId: DEMO.users.adele.id,
          domainName: 'contoso.com',
          displayName: 'Adele Vance',
        },
      },
    ],
  };
}

let fake: FakeCloud;
let service: TestService;
let ingestKey: string;
let viewerKey: string;

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 20 });
  fake.seedDemo();
  service = await startService({ RIPOSTE_PLAYBOOKS_DIR: PLAYBOOKS, RIPOSTE_WEBHOOK_SECRET: WEBHOOK_SECRET });
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
  await enableAutomation(service, 'compromised-account');
  ingestKey = (await service.request('POST', '/api/v1/api-keys', { body: { name: 'siem', role: 'ingest' } })).body.key;
  viewerKey = (await service.request('POST', '/api/v1/api-keys', { body: { name: 'dashboard', role: 'viewer' } })).body
    .key;
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

describe('POST /api/v1/alerts', () => {
  it('fires the matching playbook with the user and device from the evidence', async () => {
    const { status, body } = await service.request('POST', '/api/v1/alerts', {
      key: ingestKey,
      body: defenderAlert('da637551227677560813_-961444813'),
    });
    expect(status).toBe(202);
    expect(body).toMatchObject({
      accepted: 1,
      duplicates: 0,
      alerts: [{ providerAlertId: 'da637551227677560813_-961444813', duplicate: false, runs: [expect.any(String)] }],
    });
    const runId = body.alerts[0].runs[0];
    const run = await service.request('GET', `/api/v1/runs/${runId}`);
    expect(run.body).toMatchObject({
      kind: 'playbook',
      playbook: { id: 'compromised-account' },
      trigger: { type: 'alert', alertId: body.alerts[0].id },
      connectionTarget: 'contoso',
    });
    expect(run.body.input.inputs).toEqual({
      user: DEMO.users.adele.upn,
      devices: [DEMO.machines.webServer.id],
      alertId: 'da637551227677560813_-961444813',
    });
    // The shipped playbook asks a person before anyone is disabled.
    const waiting = await waitForStep(service, runId, 'approve_containment');
    expect(waiting.waitingFor).toEqual([
      {
        step: 'approve_containment',
        kind: 'approval',
        prompt: expect.stringContaining(DEMO.users.adele.upn),
        approvers: ['analyst'],
        deadline: expect.any(String),
      },
    ]);
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(true);
    expect(fake.count({ service: 'graph', method: 'PATCH' })).toBe(0);
    await service.request('POST', `/api/v1/runs/${runId}/cancel`);

    const stored = await service.request('GET', `/api/v1/alerts/${body.alerts[0].id}`, { key: viewerKey });
    expect(stored.body).toMatchObject({
      providerAlertId: 'da637551227677560813_-961444813',
      severity: 'high',
      users: [{ userPrincipalName: DEMO.users.adele.upn }],
      devices: [{ mdeDeviceId: DEMO.machines.webServer.id }],
      runs: [{ id: runId, playbook: 'compromised-account' }],
    });
    expect(stored.body.raw.detectorId).toBe(docsExample.detectorId);
    const list = await service.request('GET', '/api/v1/alerts?severity=high', { key: viewerKey });
    expect(list.body.items.map((a: { id: string }) => a.id)).toContain(body.alerts[0].id);
  });

  it('stores and fires once for 100 concurrent copies of the same alert', async () => {
    const alert = defenderAlert('da638000000000000000_-100');
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => service.request('POST', '/api/v1/alerts', { key: ingestKey, body: alert })),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const accepted = answers.filter((a) => a.body.accepted === 1);
    expect(accepted).toHaveLength(1);
    expect(answers.filter((a) => a.body.duplicates === 1)).toHaveLength(99);
    const runs = await service.request('GET', `/api/v1/runs?alert=${accepted[0]!.body.alerts[0].id}`);
    expect(runs.body.items).toHaveLength(1);
    await service.request('POST', `/api/v1/runs/${runs.body.items[0].id}/cancel`);
  });

  it('records an update of a known alert without firing playbooks that do not ask for updates', async () => {
    const first = await service.request('POST', '/api/v1/alerts', {
      key: ingestKey,
      body: { ...defenderAlert('da638000000000000001_-1'), evidence: [] },
    });
    const update = await service.request('POST', '/api/v1/alerts', {
      key: ingestKey,
      body: { ...defenderAlert('da638000000000000001_-1', '2026-11-22T09:00:00Z'), evidence: [] },
    });
    expect(first.body.alerts[0]).toMatchObject({ duplicate: false, update: false });
    expect(update.body.alerts[0]).toMatchObject({ duplicate: false, update: true, runs: [] });
  });

  it('throttles runs for the same entity, and fires on updates only for triggers that ask', async () => {
    const playbook = `id: throttled\nname: One run per user per hour\ninputs:\n  user: { type: string }\ntriggers:\n  - alert: { title: { glob: "Throttle test*" } }\n    onUpdate: true\n    inputs:\n      user: \${{ alert.users[0].userPrincipalName }}\n    throttle:\n      key: \${{ alert.users[0].userPrincipalName }}\n      window: 1h\nsteps:\n  - id: read\n    action: azure_ad.get_user\n    with:\n      user: \${{ inputs.user }}\n`;
    expect(
      (
        await service.request('PUT', '/api/v1/playbooks/throttled', {
          raw: playbook,
          headers: { 'Content-Type': 'application/yaml' },
        })
      ).status,
    ).toBe(201);
    await enableAutomation(service, 'throttled');
    const alert = (id: string, upn: string, updated = '2026-11-22T08:00:00Z') => ({
      id,
      title: `Throttle test ${id}`,
      severity: 'low',
      lastUpdateDateTime: updated,
      evidence: [{ '@odata.type': '#microsoft.graph.security.userEvidence', userAccount: { userPrincipalName: upn } }],
    });
    const first = await service.request('POST', '/api/v1/alerts', {
      key: ingestKey,
      body: alert('t1', DEMO.users.megan.upn),
    });
    const sameUser = await service.request('POST', '/api/v1/alerts', {
      key: ingestKey,
      body: alert('t2', DEMO.users.megan.upn),
    });
    const otherUser = await service.request('POST', '/api/v1/alerts', {
      key: ingestKey,
      body: alert('t3', DEMO.users.alex.upn),
    });
    const update = await service.request('POST', '/api/v1/alerts', {
      key: ingestKey,
      body: alert('t3', DEMO.users.alex.upn, '2026-11-22T09:00:00Z'),
    });
    expect(first.body.alerts[0].runs).toHaveLength(1);
    expect(sameUser.body.alerts[0]).toMatchObject({
      runs: [],
      skipped: [{ playbook: 'throttled', reason: expect.stringMatching(/throttled/) }],
    });
    expect(otherUser.body.alerts[0].runs).toHaveLength(1);
    expect(update.body.alerts[0]).toMatchObject({
      update: true,
      runs: [],
      skipped: [{ reason: expect.stringMatching(/throttled/) }],
    });
    await service.request('DELETE', '/api/v1/playbooks/throttled');
  });

  it('accepts a { value: [...] } list and the legacy v1 shape', async () => {
    const { body } = await service.request('POST', '/api/v1/alerts', {
      key: ingestKey,
      body: {
        value: [
          { id: 'list-1', title: 'x', severity: 'low', lastUpdateDateTime: '2026-11-22T00:00:00Z' },
          {
            id: 'legacy-1',
            title: 'y',
            severity: 'low',
            vendorInformation: { provider: 'IPC' },
            lastModifiedDateTime: '2026-11-22T00:00:00Z',
          },
        ],
      },
    });
    expect(body).toMatchObject({ accepted: 2, duplicates: 0 });
  });

  it('rejects bad input with a clear 4xx and stores nothing', async () => {
    const before = (await service.request('GET', '/api/v1/alerts?limit=500')).body.items.length;
    const cases: [{ raw?: string; body?: unknown; headers?: Record<string, string> }, number][] = [
      [{ raw: '{"id": ', headers: { 'Content-Type': 'application/json' } }, 400],
      [{ raw: 'id=1', headers: { 'Content-Type': 'text/csv' } }, 415],
      [
        {
          raw: JSON.stringify({ value: [{ id: 'big', title: 'x'.repeat(5 * 1024 * 1024) }] }),
          headers: { 'Content-Type': 'application/json' },
        },
        413,
      ],
      [{ body: { value: [{ id: 'good-one', title: 'fine' }, { title: 'no id' }] } }, 400],
    ];
    for (const [request, status] of cases) {
      const response = await service.request('POST', '/api/v1/alerts', { key: ingestKey, ...request });
      expect(response.status, response.text.slice(0, 200)).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect((await service.request('GET', '/api/v1/alerts?limit=500')).body.items.length).toBe(before);
    const missingId = await service.request('POST', '/api/v1/alerts', {
      key: ingestKey,
      body: { value: [{ id: 'good-one' }, { title: 'no id' }] },
    });
    expect(missingId.body.errors).toEqual([{ path: '/value/1/id', message: expect.stringMatching(/required/) }]);
  });

  it('needs an ingest key (or analyst), or a valid signature', async () => {
    expect((await service.request('POST', '/api/v1/alerts', { key: viewerKey, body: { id: 'x1' } })).status).toBe(403);
    expect((await service.request('POST', '/api/v1/alerts', { key: null, body: { id: 'x1' } })).status).toBe(401);
    expect((await service.request('GET', '/api/v1/runs', { key: ingestKey })).status).toBe(403);

    const raw = JSON.stringify({ id: 'signed-1', title: 'signed', severity: 'low' });
    const now = Math.floor(Date.now() / 1000);
    const signed = {
      'Content-Type': 'application/json',
      'X-Riposte-Timestamp': String(now),
      'X-Riposte-Signature': signWebhook(WEBHOOK_SECRET, now, raw),
    };
    expect((await service.request('POST', '/api/v1/alerts', { key: null, raw, headers: signed })).status).toBe(202);
    const replay = await service.request('POST', '/api/v1/alerts', { key: null, raw, headers: signed });
    expect(replay.status).toBe(401);
    expect(replay.body.detail).toMatch(/replay/);
    const stale = now - 600;
    expect(
      (
        await service.request('POST', '/api/v1/alerts', {
          key: null,
          raw,
          headers: {
            ...signed,
            'X-Riposte-Timestamp': String(stale),
            'X-Riposte-Signature': signWebhook(WEBHOOK_SECRET, stale, raw),
          },
        })
      ).body.detail,
    ).toMatch(/5 minutes/);
    const tampered = JSON.stringify({ id: 'signed-2', title: 'tampered', severity: 'high' });
    expect(
      (
        await service.request('POST', '/api/v1/alerts', {
          key: null,
          raw: tampered,
          headers: { ...signed, 'X-Riposte-Signature': signWebhook(WEBHOOK_SECRET, now, raw) },
        })
      ).status,
    ).toBe(401);
  });
});
