import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService, waitForRun } from '../support/service.js';

const alert = JSON.parse(readFileSync(new URL('../fixtures/defender-alert-v2.json', import.meta.url), 'utf8'));

let fake: FakeCloud;
let service: TestService;

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 20 });
  fake.seedDemo();
  service = await startService();
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

function lines(text: string): any[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

async function pull(cursor?: string, key?: string) {
  const response = await service.request('GET', `/api/v1/export/events${cursor ? `?cursor=${cursor}` : ''}`, { key });
  expect(response.status, response.text).toBe(200);
  expect(response.headers.get('content-type')).toContain('application/x-ndjson');
  return { events: lines(response.text), next: response.headers.get('x-riposte-next-cursor') as string };
}

describe('the export pull feed', () => {
  it('streams alerts, runs, effects and audit records as NDJSON with a cursor, each exactly once', async () => {
    const first = await pull();
    expect(first.events.length).toBeGreaterThan(0); // the connection target's audit record at least
    for (const e of first.events)
      expect(e).toMatchObject({
        schema: 'riposte.event/1',
        seq: expect.any(Number),
        id: expect.any(String),
        type: expect.any(String),
        time: expect.any(String),
        data: expect.any(Object),
      });

    const ingested = await service.request('POST', '/api/v1/alerts', {
      body: { ...alert, id: 'export-feed-1', providerAlertId: 'export-feed-1' },
    });
    expect(ingested.status).toBe(202);
    const started = await service.request('POST', '/api/v1/responses', {
      body: {
        action: 'azure_ad.disable_user',
        connectionTarget: 'contoso',
        input: { user: DEMO.users.adele.upn },
        reason: 'export e2e',
      },
    });
    expect(started.status).toBe(202);
    const run = await waitForRun(service, started.body.runId);
    expect(run.status).toBe('succeeded');

    const second = await pull(first.next);
    const types = second.events.map((e) => e.type);
    expect(types).toContain('alert.received');
    const alertEvent = second.events.find((e) => e.type === 'alert.received');
    // Each field with its type as stored: booleans, numbers, JSON objects and arrays (not their text).
    expect(alertEvent.data).toMatchObject({
      providerAlertId: 'export-feed-1',
      severity: 'low',
      title: alert.title,
      isUpdate: false,
      users: expect.any(Array),
      mitreTechniques: expect.any(Array),
    });
    expect(second.events.find((e) => e.type === 'run.started' && e.data.runId === run.id)?.data).toMatchObject({
      kind: 'response',
      dryRun: false,
      playbook: null,
      trigger: { type: 'api', alertId: null },
      reason: 'export e2e',
    });
    expect(second.events.find((e) => e.type === 'run.ended' && e.data.runId === run.id)?.data).toMatchObject({
      status: 'succeeded',
      kind: 'response',
      dryRun: false,
      error: null,
      endedAt: expect.any(String),
    });
    expect(second.events.find((e) => e.type === 'effect.settled' && e.data.runId === run.id)?.data).toMatchObject({
      action: 'azure_ad.disable_user',
      status: 'succeeded',
      entity: expect.stringContaining('adele'),
      detail: expect.any(Object),
      settledAt: expect.any(String),
    });
    expect(
      second.events.find((e) => e.type === 'audit.recorded' && e.data.action === 'action.azure_ad.disable_user')?.data,
    ).toMatchObject({ auditSeq: expect.any(Number), detail: { stepKey: 'response' }, hash: expect.any(String) });
    // In order, nothing repeated across pages.
    const seqs = [...first.events, ...second.events].map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set([...first.events, ...second.events].map((e) => e.id)).size).toBe(seqs.length);
    // A run's start comes before its end.
    const runEvents = second.events.filter((e) => e.data.runId === run.id && e.type.startsWith('run.'));
    expect(runEvents.map((e) => e.type)).toEqual(['run.started', 'run.ended']);

    const third = await pull(second.next);
    expect(third.events.filter((e) => e.type !== 'audit.recorded')).toEqual([]);
    expect(third.next).toBeTruthy();
  });

  it('pages with ?limit= and refuses a cursor it did not give out', async () => {
    const page = await service.request('GET', '/api/v1/export/events?limit=2');
    expect(lines(page.text)).toHaveLength(2);
    const bad = await service.request('GET', '/api/v1/export/events?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });

  it('serves export keys and admins only: the stream carries the audit trail', async () => {
    const exportKey = await service.request('POST', '/api/v1/api-keys', { body: { name: 'siem', role: 'export' } });
    expect(exportKey.status).toBe(201);
    const viewer = await service.request('POST', '/api/v1/api-keys', { body: { name: 'someone', role: 'viewer' } });
    expect((await pull(undefined, exportKey.body.key)).events.length).toBeGreaterThan(0);
    expect((await service.request('GET', '/api/v1/export/events', { key: viewer.body.key })).status).toBe(403);
    expect((await service.request('GET', '/api/v1/runs', { key: exportKey.body.key })).status).toBe(403);
  });
});
