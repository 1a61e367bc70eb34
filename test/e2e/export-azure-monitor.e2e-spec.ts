import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService } from '../support/service.js';

const alert = JSON.parse(readFileSync(new URL('../fixtures/defender-alert-v2.json', import.meta.url), 'utf8'));
const DCR = 'dcr-0123456789abcdef0123456789abcdef';
const OTHER_DCR = 'dcr-fedcba9876543210fedcba9876543210';

let fake: FakeCloud;
let service: TestService;

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  fake.addDataCollectionRule({ immutableId: DCR, streams: ['Custom-RiposteEvents'], publishers: [DEMO.clientId] });
  fake.addDataCollectionRule({ immutableId: OTHER_DCR, streams: ['Custom-RiposteEvents'], publishers: [] });
  service = await startService({ RIPOSTE_EXPORT_MAX_BACKOFF_SECONDS: '0.5' });
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

async function postAlert(id: string) {
  expect(
    (await service.request('POST', '/api/v1/alerts', { body: { ...alert, id, providerAlertId: id } })).status,
  ).toBe(202);
}

async function drained(name: string) {
  const r = await service.request('GET', `/api/v1/export/sinks/${name}/drained?wait=30`);
  expect(r.status, r.text).toBe(200);
  return r.body;
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Azure Monitor Logs Ingestion sink (Microsoft Sentinel)', () => {
  it("signs in with the connection target (monitor scope) and sends records in the stream's columns", async () => {
    const unknownTarget = await service.request('POST', '/api/v1/export/sinks', {
      body: {
        name: 'sentinel',
        type: 'azureMonitor',
        settings: { connectionTarget: 'nope', endpoint: fake.monitorEndpoint, dcrImmutableId: DCR },
      },
    });
    expect(unknownTarget.status).toBe(400);
    expect(unknownTarget.body.errors).toContainEqual({
      path: '/settings/connectionTarget',
      message: "no connection target is named 'nope'",
    });
    const badDcr = await service.request('POST', '/api/v1/export/sinks', {
      body: {
        name: 'sentinel',
        type: 'azureMonitor',
        settings: { connectionTarget: 'contoso', endpoint: fake.monitorEndpoint, dcrImmutableId: 'my-rule' },
      },
    });
    expect(badDcr.body.errors[0].path).toBe('/settings/dcrImmutableId');

    const created = await service.request('POST', '/api/v1/export/sinks', {
      body: {
        name: 'sentinel',
        type: 'azureMonitor',
        settings: { connectionTarget: 'contoso', endpoint: fake.monitorEndpoint, dcrImmutableId: DCR },
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      type: 'azureMonitor',
      hasToken: false,
      settings: { streamName: 'Custom-RiposteEvents' },
    });
    await postAlert('monitor-1');
    expect(await drained('sentinel')).toMatchObject({ status: 'ok', lag: 0, deadLetters: 0 });
    const records = fake.ingestedRecords();
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.dcr === DCR && r.stream === 'Custom-RiposteEvents')).toBe(true);
    const alertRecord = records.find((r) => r.record.EventType === 'alert.received');
    expect(alertRecord?.record).toMatchObject({
      TimeGenerated: expect.any(String),
      EventId: expect.stringMatching(/^alert:/),
      Seq: expect.any(Number),
      SchemaVersion: 'riposte.event/1',
      Data: { providerAlertId: 'monitor-1' },
    });
  });

  it('waits out an ingestion endpoint that is unavailable, then sends everything in order, once', async () => {
    const outage = fake.faults.inject({ service: 'monitor', preset: 'unavailable', times: 'unlimited' });
    for (let i = 0; i < 4; i++) await postAlert(`monitor-outage-${i}`);
    const failing = await until(
      () => service.request('GET', '/api/v1/export/sinks/sentinel').then((r) => r.body),
      (s) => s.failures >= 2 && s.lag > 0,
    );
    expect(failing.status).toMatch(/retrying|error/);
    expect(failing.message).toMatch(/busy \(503\)/);
    outage.remove();
    const done = await drained('sentinel');
    expect(done).toMatchObject({ status: 'ok', lag: 0 });
    const seqs = fake.ingestedRecords().map((r) => r.record.Seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const feed = (await service.request('GET', '/api/v1/export/events?limit=5000')).text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { seq: number });
    for (const e of feed.filter((e) => e.seq <= done.cursor)) expect(seqs).toContain(e.seq);
  });

  it('says in words when the app may not ingest into the rule', async () => {
    const created = await service.request('POST', '/api/v1/export/sinks', {
      body: {
        name: 'sentinel-denied',
        type: 'azureMonitor',
        settings: { connectionTarget: 'contoso', endpoint: fake.monitorEndpoint, dcrImmutableId: OTHER_DCR },
      },
    });
    expect(created.status).toBe(201);
    const failing = await until(
      () => service.request('GET', '/api/v1/export/sinks/sentinel-denied').then((r) => r.body),
      (s) => s.status === 'error',
    );
    expect(failing.message).toMatch(/Monitoring Metrics Publisher role on data collection rule dcr-fedcba/);
    expect(failing.deadLetters).toBe(0);
    expect(failing.cursor).toBe(0);
  });
});
