import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { storedText } from '../support/database.js';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { call, type ServiceProcess, spawnService } from '../support/service-process.js';
import { ADMIN_KEY, demoTarget } from '../support/service.js';

/*
 * Secrets must not leak: not in API answers, logs, run history, error messages or the
 * database file. The service runs as a real process with debug logging; token requests fail
 * in every way we can provoke; then everything it wrote and answered is searched.
 */
const WRONG_SECRET = 'Wr0~ngSecretValueThatMustNotLeak12345';
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./;

let fake: FakeCloud;
let service: ServiceProcess;
let dataDir: string;

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  dataDir = mkdtempSync(join(tmpdir(), 'riposte-secrets-'));
  service = await spawnService({ RIPOSTE_DATA_DIR: dataDir, LOG_LEVEL: 'trace' });
});
afterAll(async () => {
  await service?.kill('SIGKILL');
  await fake?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function runResponse(target: string, user: string): Promise<any> {
  const started = await call(service.url, 'POST', '/api/v1/responses?wait=20', {
    action: 'azure_ad.disable_user',
    connectionTarget: target,
    input: { user },
  });
  return started.body;
}

describe('secrets and tokens', () => {
  it('appear in no answer, log line, run record or database file, even when token requests fail', async () => {
    expect((await call(service.url, 'POST', '/api/v1/connection-targets', demoTarget(fake))).status).toBe(201);
    expect(
      (
        await call(
          service.url,
          'POST',
          '/api/v1/connection-targets',
          demoTarget(fake, 'wrong', { auth: { type: 'clientSecret', clientSecret: WRONG_SECRET } }),
        )
      ).status,
    ).toBe(201);

    // A working call (tokens issued and used), then a wrong secret, an unknown app, a 500 and a reset on the token endpoint.
    expect((await runResponse('contoso', DEMO.users.alex.upn)).status).toBe('succeeded');
    expect((await runResponse('wrong', DEMO.users.alex.upn)).error.code).toBe('invalid_client_secret');
    fake.faults.inject({ service: 'identity', path: '/oauth2/v2.0/token', status: 500 });
    await call(service.url, 'PATCH', '/api/v1/connection-targets/contoso', {
      auth: { type: 'clientSecret', clientSecret: DEMO.clientSecret },
    });
    expect((await runResponse('contoso', DEMO.users.megan.upn)).status).toBe('failed');
    fake.faults.inject({ service: 'identity', path: '/oauth2/v2.0/token', preset: 'resetConnection' });
    await call(service.url, 'PATCH', '/api/v1/connection-targets/contoso', {
      auth: { type: 'clientSecret', clientSecret: DEMO.clientSecret },
    });
    expect((await runResponse('contoso', DEMO.users.megan.upn)).status).toBe('failed');
    expect((await call(service.url, 'POST', '/api/v1/connection-targets/wrong/test')).body.ok).toBe(false);

    const answers: string[] = [];
    for (const path of [
      '/api/v1/connection-targets',
      '/api/v1/connection-targets/contoso',
      '/api/v1/connection-targets/wrong',
      '/api/v1/runs?limit=500',
      '/api/v1/audit?limit=500',
      '/api/v1/api-keys',
    ]) {
      answers.push(JSON.stringify((await call(service.url, 'GET', path)).body));
    }
    const runs = JSON.parse(answers[3]!).items as { id: string }[];
    for (const run of runs)
      answers.push(JSON.stringify((await call(service.url, 'GET', `/api/v1/runs/${run.id}`)).body));
    await service.kill('SIGTERM');
    const files = (await storedText(dataDir)).map((f) => f.text);
    expect(files.length).toBeGreaterThan(0);

    const everything = [service.output(), ...answers, ...files];
    expect(service.output()).toMatch(/invalid_client_secret|AADSTS7000215/);
    for (const [i, text] of everything.entries()) {
      expect(text, `source ${i}`).not.toContain(DEMO.clientSecret);
      expect(text, `source ${i}`).not.toContain(WRONG_SECRET);
      expect(text, `source ${i}`).not.toContain(ADMIN_KEY);
      expect(text, `source ${i}`).not.toMatch(JWT);
      expect(text, `source ${i}`).not.toMatch(/Bearer [A-Za-z0-9]/);
    }
  });
});
