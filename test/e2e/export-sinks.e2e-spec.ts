import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRotation, SecretBox } from '@riposte/connection-targets';
import { Database, ExportSinkEntity } from '@riposte/persistence';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { HecReceiver } from '../support/hec-receiver.js';
import { demoTarget, startService, type TestService } from '../support/service.js';

const alert = JSON.parse(readFileSync(new URL('../fixtures/defender-alert-v2.json', import.meta.url), 'utf8'));
const HEC_TOKEN = 'b0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const ENV = { RIPOSTE_EXPORT_MAX_BACKOFF_SECONDS: '0.5' };

let fake: FakeCloud;
let service: TestService;
const hec = new HecReceiver(HEC_TOKEN);

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  await hec.start();
  service = await startService(ENV);
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
});
afterAll(async () => {
  await service?.close();
  await hec.stop();
  await fake?.close();
});

async function postAlert(id: string, title = alert.title) {
  const r = await service.request('POST', '/api/v1/alerts', { body: { ...alert, id, providerAlertId: id, title } });
  expect(r.status, r.text).toBe(202);
}

async function allEvents(): Promise<{ id: string; seq: number }[]> {
  const r = await service.request('GET', '/api/v1/export/events?limit=5000');
  return r.text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

async function drain(name: string) {
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

/** Every event is there at least once, and the first copies arrive in stream order. */
function expectComplete(received: { id: string; seq: number }[], expected: { id: string; seq: number }[]) {
  const firstSeen: number[] = [];
  const seen = new Set<string>();
  for (const e of received) {
    if (!seen.has(e.id)) firstSeen.push(e.seq);
    seen.add(e.id);
  }
  for (const e of expected) expect(seen.has(e.id), `event ${e.seq} (${e.id}) missing`).toBe(true);
  expect(firstSeen).toEqual([...firstSeen].sort((a, b) => a - b));
}

describe('Splunk HEC sink', () => {
  it('is configured like a connection target: the token is write-only, bad settings are 400s in words', async () => {
    const refused = await service.request('POST', '/api/v1/export/sinks', {
      body: { name: 'bad', type: 'splunkHec', settings: { url: 'http://splunk.contoso.com:8088' }, token: 'x' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toContainEqual({ path: '/settings/url', message: 'must be an https:// URL' });
    const metadata = await service.request('POST', '/api/v1/export/sinks', {
      body: { name: 'bad', type: 'splunkHec', settings: { url: 'https://169.254.169.254' }, token: 'x' },
    });
    expect(metadata.status).toBe(400);
    expect(metadata.body.errors[0].path).toBe('/settings/url');
    const noToken = await service.request('POST', '/api/v1/export/sinks', {
      body: { name: 'bad', type: 'splunkHec', settings: { url: hec.url } },
    });
    expect(noToken.body.errors).toContainEqual({ path: '/token', message: 'is required for type splunkHec' });

    const created = await service.request('POST', '/api/v1/export/sinks', {
      body: { name: 'splunk', type: 'splunkHec', settings: { url: hec.url, index: 'riposte' }, token: HEC_TOKEN },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      name: 'splunk',
      type: 'splunkHec',
      enabled: true,
      hasToken: true,
      settings: { url: hec.url, index: 'riposte', sourcetype: 'riposte:event', source: 'riposte' },
    });
    expect(created.text).not.toContain(HEC_TOKEN);
    const drained = await drain('splunk');
    expect(drained).toMatchObject({ status: 'ok', lag: 0, deadLetters: 0 });
    expect(hec.received.length).toBeGreaterThan(0);
    expect(hec.received[0]).toMatchObject({
      source: 'riposte',
      sourcetype: 'riposte:event',
      index: 'riposte',
      event: { schema: 'riposte.event/1' },
    });
    expect(JSON.stringify((await service.request('GET', '/api/v1/export/sinks/splunk')).body)).not.toContain(HEC_TOKEN);
    // The audit record of the sink's creation reached Splunk too, without the token.
    expect(JSON.stringify(hec.received)).not.toContain(HEC_TOKEN);
  });

  it('keeps everything, in order, while the receiver is down for a while and across a restart of the service', async () => {
    await hec.stop();
    for (let i = 0; i < 5; i++) await postAlert(`hec-down-${i}`);
    const failing = await until(
      () => service.request('GET', '/api/v1/export/sinks/splunk').then((r) => r.body),
      (s) => s.failures > 0 && s.status !== 'ok' && s.lag > 0,
    );
    expect(failing.message).toMatch(/refused the connection/);
    const connectors = await service.request('GET', '/api/v1/connectors');
    expect(connectors.body.items).toBeInstanceOf(Array);
    expect(connectors.body.sinks.find((s: { name: string }) => s.name === 'splunk')).toMatchObject({
      type: 'splunkHec',
      status: expect.stringMatching(/retrying|error/),
    });
    const metrics = await service.request('GET', '/metrics');
    expect(metrics.text).toMatch(/riposte_export_sink_up\{sink="splunk",type="splunkHec"\} 0/);
    expect(metrics.text).toMatch(/riposte_export_sink_lag_events\{sink="splunk",type="splunkHec"\} [1-9]/);
    expect(metrics.text).toMatch(/riposte_export_sink_failures_total\{sink="splunk",type="splunkHec"\} [1-9]/);

    // The service stops while the receiver is still down; the cursor is in the database.
    const dataDir = service.dataDir;
    await service.close({ keepData: true });
    service = await startService(ENV, dataDir);
    for (let i = 5; i < 8; i++) await postAlert(`hec-down-${i}`);
    await hec.start();
    const drained = await drain('splunk');
    expect(drained).toMatchObject({ status: 'ok', lag: 0, deadLetters: 0 });

    const expected = (await allEvents()).filter((e) => e.seq <= drained.cursor);
    expect(expected.filter((e) => e.id.startsWith('alert:'))).toHaveLength(8);
    expectComplete(
      hec.received.map((r) => r.event),
      expected,
    );
    // HEC answers every request: what it took is never sent again.
    expect(new Set(hec.received.map((r) => r.event.id)).size).toBe(hec.received.length);
    const after = await service.request('GET', '/metrics');
    expect(after.text).toMatch(/riposte_export_sink_up\{sink="splunk",type="splunkHec"\} 1/);
  });

  it('dead-letters an event the receiver refuses for good, and goes on with the next', async () => {
    hec.refuse = (e) => e.event.type === 'alert.received' && e.event.data.title === 'poison';
    await postAlert('hec-poison', 'poison');
    await postAlert('hec-after-poison');
    const drained = await drain('splunk');
    expect(drained).toMatchObject({ status: 'ok', lag: 0, deadLetters: 1 });
    expect(drained.message).toBeNull();
    const titles = hec.received
      .filter((r) => r.event.type === 'alert.received')
      .map((r) => r.event.data.providerAlertId);
    expect(titles).toContain('hec-after-poison');
    expect(titles).not.toContain('hec-poison');
    expect((await service.request('GET', '/metrics')).text).toMatch(
      /riposte_export_sink_dead_letters\{sink="splunk",type="splunkHec"\} 1/,
    );
    hec.refuse = () => false;
  });

  it('shows a refused token in words, and recovers when it is replaced', async () => {
    const patched = await service.request('PATCH', '/api/v1/export/sinks/splunk', {
      body: { token: 'wrong-token-0000' },
    });
    expect(patched.status).toBe(200);
    await postAlert('hec-bad-token');
    const failing = await until(
      () => service.request('GET', '/api/v1/export/sinks/splunk').then((r) => r.body),
      (s) => s.status === 'error',
    );
    expect(failing.message).toMatch(/refused the HEC token/);
    expect((await service.request('PATCH', '/api/v1/export/sinks/splunk', { body: { token: HEC_TOKEN } })).status).toBe(
      200,
    );
    expect(await drain('splunk')).toMatchObject({ status: 'ok', lag: 0 });
    expect(hec.received.some((r) => r.event.data.providerAlertId === 'hec-bad-token')).toBe(true);
  });

  it('re-encrypts the token when the data key is rotated, and goes on delivering', async () => {
    const rotation = await service.app.get(KeyRotation).rotate();
    expect(rotation.reencrypted).toBeGreaterThanOrEqual(2); // the connection target's secret and the sink's token
    const row = await service.app.get(Database).reader.findOneOrFail(ExportSinkEntity, { where: { name: 'splunk' } });
    expect(SecretBox.keyIdOf(row.secretCiphertext as string)).toBe(rotation.keyId);
    // A new delivery loop reads the token afresh.
    expect((await service.request('PATCH', '/api/v1/export/sinks/splunk', { body: { enabled: true } })).status).toBe(
      200,
    );
    await postAlert('hec-after-rotation');
    expect(await drain('splunk')).toMatchObject({ status: 'ok', lag: 0 });
    expect(hec.received.some((r) => r.event.data.providerAlertId === 'hec-after-rotation')).toBe(true);
  });

  it('stops delivering when disabled, and is gone when deleted', async () => {
    expect(
      (await service.request('PATCH', '/api/v1/export/sinks/splunk', { body: { enabled: false } })).body.status,
    ).toBe('disabled');
    const before = hec.requests;
    await postAlert('hec-disabled');
    await service.request('GET', '/api/v1/export/events?limit=1');
    expect((await service.request('GET', '/api/v1/export/sinks/splunk')).body).toMatchObject({
      status: 'disabled',
      enabled: false,
    });
    expect(hec.requests).toBe(before);
    expect((await service.request('DELETE', '/api/v1/export/sinks/splunk')).status).toBe(204);
    expect((await service.request('GET', '/api/v1/export/sinks/splunk')).status).toBe(404);
  });
});
