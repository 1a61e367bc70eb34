import { mkdtempSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { TEST_STORE } from '../support/database.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signWebhook } from '@riposte/alerts';
import { call, type ServiceProcess, spawnService } from '../support/service-process.js';
import { ADMIN_KEY } from '../support/service.js';

/*
 * Credentials and brute force, against the built service in its own process (its real logs, its
 * real files, a real restart): failed authentications are logged without the key, counted and
 * slowed down per client; keys may expire; the database files are 0600; a webhook signature is
 * accepted once, also across a restart.
 */
const WEBHOOK_SECRET = 'credentials-test-webhook-secret-0123456789';
const dataDir = mkdtempSync(join(tmpdir(), 'riposte-credentials-'));
const env = {
  RIPOSTE_DATA_DIR: dataDir,
  RIPOSTE_PLAYBOOKS_DIR: join(dataDir, 'playbooks'),
  RIPOSTE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  RIPOSTE_AUTH_FAILURES_PER_MINUTE: '5',
};
let service: ServiceProcess | undefined;

afterAll(async () => {
  await service?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);
const get = (url: string, path: string, key: string | null) =>
  fetch(`${url}${path}`, { headers: key ? { Authorization: `Bearer ${key}` } : {} });

describe('credentials', () => {
  it('database files 0600, key expiry, webhook replay across a restart, failed authentications logged, counted and slowed down', async () => {
    // A database file left world-readable (by an older version, or a copy) is closed down at start.
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'riposte.sqlite'), '', { mode: 0o644 });
    service = await spawnService(env);
    // On PostgreSQL the data folder holds only the key file; the database is the server's.
    const files = TEST_STORE === 'sqlite' ? ['riposte.sqlite', 'riposte.sqlite-wal', 'riposte.sqlite-shm'] : [];
    for (const file of [...files, 'encryption-keys.json']) expect(mode(join(dataDir, file)), file).toBe('600');

    // Keys may carry an expiry: refused with the reason once it has passed.
    expect(
      (
        await call(service.url, 'POST', '/api/v1/api-keys', {
          name: 'past',
          role: 'viewer',
          expiresAt: '2020-01-01T00:00:00Z',
        })
      ).status,
    ).toBe(400);
    const soon = new Date(Date.now() + 1500).toISOString();
    const temporary = await call(service.url, 'POST', '/api/v1/api-keys', {
      name: 'contractor',
      role: 'viewer',
      expiresAt: soon,
    });
    expect(temporary).toMatchObject({ status: 201, body: { expiresAt: soon } });
    expect((await get(service.url, '/api/v1/runs', temporary.body.key)).status).toBe(200);
    let expired: Response;
    for (;;) {
      expired = await get(service.url, '/api/v1/runs', temporary.body.key);
      if (expired.status !== 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { detail: string }).detail).toMatch(/'contractor' expired at/);
    expect(
      (await call(service.url, 'GET', '/api/v1/api-keys')).body.items.find(
        (k: { name: string }) => k.name === 'contractor',
      ),
    ).toMatchObject({ expiresAt: soon });

    // A signed webhook is accepted once, and still refused as a replay after a restart.
    const body = JSON.stringify({
      id: 'signed-once',
      title: 'Signed once',
      severity: 'low',
      lastUpdateDateTime: '2026-11-22T08:00:00Z',
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const signed = () =>
      fetch(`${service!.url}/api/v1/alerts`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Riposte-Timestamp': String(timestamp),
          'X-Riposte-Signature': signWebhook(WEBHOOK_SECRET, timestamp, body),
        },
        body,
      });
    expect((await signed()).status).toBe(202);
    expect((await signed()).status).toBe(401);
    await service.kill('SIGTERM');
    service = await spawnService(env);
    const replayed = await signed();
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as { detail: string }).detail).toMatch(/already received \(replay\)/);
    expect(
      (
        (await get(service.url, '/api/v1/alerts', ADMIN_KEY).then((r) => r.json())) as {
          items: { providerAlertId: string }[];
        }
      ).items.filter((a) => a.providerAlertId === 'signed-once'),
    ).toHaveLength(1);

    // Failed authentications: logged without the key, counted, and slowed down per client.
    // The replay above was one failure; five guesses make six, past the limit of five a minute.
    const guesses = Array.from({ length: 5 }, (_, i) => `rip_Guess${i}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`);
    for (const guess of guesses) expect((await get(service.url, '/api/v1/runs', guess)).status).toBe(401);
    const slowed = await get(service.url, '/api/v1/runs', ADMIN_KEY);
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await slowed.json()) as { code: string }).code).toBe('too_many_failed_authentications');
    const output = service.output();
    expect(output.match(/authentication failed: unknown_key/g)?.length).toBe(5);
    expect(output).toMatch(/authentication failed: bad_signature/);
    for (const guess of guesses) expect(output).not.toContain(guess.slice(4));
    expect(output).not.toContain(temporary.body.key.slice(4));
    expect(output).not.toContain(ADMIN_KEY.slice(4));
  }, 120_000);

  it('counts failures in /metrics', async () => {
    // Metrics are open only with a key; the slowed-down client waits, so read them from a fresh process.
    await service!.kill('SIGTERM');
    service = await spawnService({ ...env, RIPOSTE_METRICS_PUBLIC: 'true' });
    for (let i = 0; i < 3; i++)
      expect((await get(service.url, '/api/v1/runs', `rip_Wrong${i}yyyyyyyyyyyyyyyyyyyyyyyyyyyy`)).status).toBe(401);
    expect((await get(service.url, '/api/v1/runs', null)).status).toBe(401);
    const metrics = await (await get(service.url, '/metrics', null)).text();
    expect(metrics).toMatch(/riposte_auth_failures_total\{reason="unknown_key"\} 3/);
    expect(metrics).toMatch(/riposte_auth_failures_total\{reason="missing"\} 1/);
  }, 60_000);
});
