import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { Rsyslog, rsyslogAvailable, type SyslogLine } from '../support/rsyslog.js';
import { demoTarget, startService, type TestService } from '../support/service.js';

const alert = JSON.parse(readFileSync(new URL('../fixtures/defender-alert-v2.json', import.meta.url), 'utf8'));

if (!rsyslogAvailable()) {
  throw new Error(
    "These tests need Debian's rsyslog with its OpenSSL driver: apt-get install rsyslog rsyslog-openssl (.ci/run does it when missing).",
  );
}

let fake: FakeCloud;
let service: TestService;
const dir = mkdtempSync(join(tmpdir(), 'riposte-rsyslog-'));
const rsyslog = new Rsyslog(dir);

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  await rsyslog.start();
  service = await startService({ RIPOSTE_EXPORT_MAX_BACKOFF_SECONDS: '0.5' });
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
});
afterAll(async () => {
  await service?.close();
  await rsyslog.stop();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
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

async function until<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function feed(upTo: number): Promise<{ id: string; seq: number; type: string }[]> {
  const r = await service.request('GET', '/api/v1/export/events?limit=5000');
  return r.text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e: { seq: number }) => e.seq <= upTo);
}

const jsonLines = () => rsyslog.lines().filter((l) => l.msg.startsWith('{'));
const cefLines = () => rsyslog.lines().filter((l) => l.msg.startsWith('CEF:'));
const sdParam = (line: SyslogLine, name: string) => new RegExp(`${name}="([^"]*)"`).exec(line.structuredData)?.[1];

describe('syslog sink over TLS, into a real rsyslogd', () => {
  it('sends RFC 5424 messages that rsyslog parses: app riposte, the event type as MSGID, id and seq in structured data, the event as JSON', async () => {
    const created = await service.request('POST', '/api/v1/export/sinks', {
      body: { name: 'syslog', type: 'syslog', settings: { host: '127.0.0.1', port: rsyslog.port } },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.settings).toMatchObject({ format: 'rfc5424', facility: 16 });
    await postAlert('syslog-1');
    const state = await drained('syslog');
    expect(state).toMatchObject({ status: 'ok', lag: 0 });
    const expected = await feed(state.cursor);
    const lines = await until(jsonLines, (l) => l.length >= expected.length);
    const line = lines.find((l) => l.msgId === 'alert.received') as SyslogLine;
    expect(line).toMatchObject({ version: '1', appName: 'riposte' });
    expect(line.structuredData).toMatch(
      /^\[riposte@32473 id="alert:[0-9a-f-]+" seq="\d+" schema="riposte.event\/1"\]$/,
    );
    const event = JSON.parse(line.msg);
    expect(event).toMatchObject({
      schema: 'riposte.event/1',
      type: 'alert.received',
      id: sdParam(line, 'id'),
      seq: Number(sdParam(line, 'seq')),
      data: { providerAlertId: 'syslog-1' },
    });
  });

  it('loses nothing while rsyslog is down for a while: what may have been lost is sent again, first copies in order', async () => {
    await rsyslog.stop();
    for (let i = 0; i < 5; i++) await postAlert(`syslog-down-${i}`);
    const failing = await until(
      () => service.request('GET', '/api/v1/export/sinks/syslog').then((r) => r.body),
      (s) => s.failures > 0 && s.lag > 0,
    );
    expect(failing.message).toMatch(/syslog receiver 127\.0\.0\.1:\d+/);
    const connectors = await service.request('GET', '/api/v1/connectors');
    expect(connectors.body.sinks.find((s: { name: string }) => s.name === 'syslog').status).toMatch(/retrying|error/);

    await rsyslog.start();
    for (let i = 5; i < 8; i++) await postAlert(`syslog-down-${i}`);
    const state = await drained('syslog');
    expect(state).toMatchObject({ status: 'ok', lag: 0 });
    const expected = await feed(state.cursor);
    const ids = () => new Set(jsonLines().map((l) => sdParam(l, 'id')));
    await until(ids, (seen) => expected.every((e) => seen.has(e.id)));
    const firstSeen: number[] = [];
    const seen = new Set<string>();
    for (const l of jsonLines()) {
      const id = sdParam(l, 'id') as string;
      if (!seen.has(id)) firstSeen.push(Number(sdParam(l, 'seq')));
      seen.add(id);
    }
    expect(firstSeen).toEqual([...firstSeen].sort((a, b) => a - b));
    expect(expected.filter((e) => e.type === 'alert.received').length).toBe(9);
  });

  it('speaks CEF for ArcSight, inside the same RFC 5424 framing', async () => {
    const created = await service.request('POST', '/api/v1/export/sinks', {
      body: {
        name: 'arcsight',
        type: 'syslog',
        settings: { host: '127.0.0.1', port: rsyslog.port, format: 'cef' },
        startAt: 'now',
      },
    });
    expect(created.status, created.text).toBe(201);
    await postAlert('syslog-cef');
    const state = await drained('arcsight');
    expect(state).toMatchObject({ status: 'ok', lag: 0 });
    const line = (await until(cefLines, (l) => l.some((x) => x.msg.includes('syslog-cef')))).find(
      (x) => x.msgId === 'alert.received',
    ) as SyslogLine;
    expect(line.msg).toMatch(
      /^CEF:0\|Riposte\|Riposte\|[\d.]+\|alert\.received\|Alert received: Suspicious execution of hidden file\|4\|rt=\d+ externalId=alert:[0-9a-f-]+ cn1Label=seq cn1=\d+ /,
    );
    expect(line.msg).toContain('cat=DefenseEvasion');
    expect(line.msg).toContain('cs2Label=providerAlertId cs2=syslog-cef');
    // Only what happened after the sink was created.
    expect(cefLines().some((x) => x.msg.includes('syslog-down-'))).toBe(false);
  });
});
