import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HecReceiver } from '../support/hec-receiver.js';
import { ADMIN_KEY } from '../support/service.js';
import { call, spawnService, type ServiceProcess } from '../support/service-process.js';

const alert = JSON.parse(readFileSync(new URL('../fixtures/defender-alert-v2.json', import.meta.url), 'utf8'));
const TOKEN = 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';
const dataDir = mkdtempSync(join(tmpdir(), 'riposte-export-crash-'));
const hec = new HecReceiver(TOKEN);
let service: ServiceProcess | undefined;

beforeAll(() => hec.start());
afterAll(async () => {
  await service?.kill('SIGKILL');
  await hec.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const env = { RIPOSTE_DATA_DIR: dataDir, RIPOSTE_EXPORT_MAX_BACKOFF_SECONDS: '0.5' };

async function until(ok: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('export across a crash (SIGKILL)', () => {
  it('re-sends the batch whose acknowledgement was lost, and loses nothing', { timeout: 120_000 }, async () => {
    service = await spawnService(env, 60_000);
    // Splunk takes the events but the answer is held: the service dies before it arrives.
    hec.answerDelayMs = 60_000;
    expect(
      (
        await call(service.url, 'POST', '/api/v1/export/sinks', {
          name: 'splunk',
          type: 'splunkHec',
          settings: { url: hec.url },
          token: TOKEN,
        })
      ).status,
    ).toBe(201);
    for (let i = 0; i < 6; i++)
      expect(
        (
          await call(service.url, 'POST', '/api/v1/alerts', {
            ...alert,
            id: `crash-${i}`,
            providerAlertId: `crash-${i}`,
          })
        ).status,
      ).toBe(202);
    await until(() => hec.received.length > 0);
    const unacknowledged = hec.received.map((r) => r.event.id);
    await service.kill('SIGKILL');

    hec.answerDelayMs = 0;
    service = await spawnService(env, 60_000);
    const drained = await call(service.url, 'GET', '/api/v1/export/sinks/splunk/drained?wait=30');
    expect(drained.body).toMatchObject({ status: 'ok', lag: 0 });
    const feed = await fetch(`${service.url}/api/v1/export/events?limit=5000`, {
      headers: { Authorization: `Bearer ${ADMIN_KEY}` },
    });
    const events = (await feed.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: string; seq: number })
      .filter((e) => e.seq <= drained.body.cursor);
    expect(events.filter((e) => e.id.startsWith('alert:'))).toHaveLength(6);
    const ids = hec.received.map((r) => r.event.id);
    for (const e of events) expect(ids, `event ${e.seq} missing`).toContain(e.id);
    // At least once: the batch Splunk took without Riposte hearing back came again; nothing else did.
    const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(twice.length).toBeGreaterThan(0);
    for (const id of twice) expect(unacknowledged).toContain(id);
    await service.kill('SIGTERM');
    service = undefined;
  });
});
