import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@riposte/config';
import { createApp } from '../../apps/api/src/app.factory.js';
import { DEMO } from '@riposte/fake-cloud';
import { databaseEnv, dropDatabase } from './database.js';
import type { FakeCloud } from './fake-cloud.js';

export const ADMIN_KEY = 'rip_TestAdminKey000000000000000000000001';

export interface TestService {
  app: NestFastifyApplication;
  url: string;
  dataDir: string;
  /** A real HTTP request to the service, as the admin unless another key is given. */
  request(
    method: string,
    path: string,
    options?: { body?: unknown; key?: string | null; headers?: Record<string, string>; raw?: string | Buffer },
  ): Promise<{ status: number; headers: Headers; body: any; text: string }>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * Boots the real service (the same factory as production) on 127.0.0.1 with a fresh database:
 * SQLite in a temporary folder, or a PostgreSQL schema of its own (RIPOSTE_TEST_DATABASE).
 * `env` overrides settings; the data folder can be reused to test restarts.
 */
export async function startService(env: Record<string, string> = {}, dataDir?: string): Promise<TestService> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'riposte-e2e-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    RIPOSTE_DATA_DIR: dir,
    RIPOSTE_ADMIN_KEY: ADMIN_KEY,
    RIPOSTE_ALLOW_CUSTOM_ENDPOINTS: 'true',
    RIPOSTE_MACHINE_ACTION_POLL_SECONDS: '0.05',
    RIPOSTE_MACHINE_ACTION_TIMEOUT_SECONDS: '10',
    RIPOSTE_HTTP_MAX_RETRY_WAIT_SECONDS: '10',
    ...(await databaseEnv(dir)),
    // Suites probe many refused keys from one address; the slow-down has its own test.
    RIPOSTE_AUTH_FAILURES_PER_MINUTE: '100000',
    ...env,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    url,
    dataDir: dir,
    async request(method, path, options = {}) {
      const key = options.key === undefined ? ADMIN_KEY : options.key;
      const headers: Record<string, string> = {
        ...(key ? { Authorization: `Bearer ${key}` } : {}),
        ...options.headers,
      };
      let body: string | Buffer | undefined = options.raw;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['Content-Type'] ??= 'application/json';
      }
      const response = await fetch(`${url}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    async close(options = {}) {
      await app.close();
      if (options.keepData) return;
      rmSync(dir, { recursive: true, force: true });
      await dropDatabase(dir);
    },
  };
}

/** A connection target body pointing at the fake cloud's demo tenant. */
export function demoTarget(fake: FakeCloud, name = 'contoso', overrides: Record<string, unknown> = {}) {
  return {
    name,
    tenantId: DEMO.tenantId,
    clientId: DEMO.clientId,
    cloud: 'custom',
    endpoints: fake.endpoints,
    auth: { type: 'clientSecret', clientSecret: DEMO.clientSecret, expiresAt: '2028-11-01T00:00:00Z' },
    ...overrides,
  };
}

/** Polls a run until it ends. */
export async function waitForRun(service: TestService, runId: string, timeoutMs = 15_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await service.request('GET', `/api/v1/runs/${runId}`);
    if (!['queued', 'running', 'waiting'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Turns alert-fired automation on for a playbook (it arrives off), as the admin. */
export async function enableAutomation(service: TestService, playbookId: string): Promise<void> {
  const { status, text } = await service.request('PUT', `/api/v1/playbooks/${playbookId}/automation`, {
    body: { enabled: true, reason: 'test' },
  });
  if (status !== 200) throw new Error(`could not turn on automation for ${playbookId}: ${status} ${text}`);
}

/** Polls a run until it waits at the given step (an approval or a hold). */
export async function waitForStep(service: TestService, runId: string, step: string, timeoutMs = 15_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await service.request('GET', `/api/v1/runs/${runId}`);
    if (body.waitingFor?.some((w: { step: string }) => w.step === step)) return body;
    if (!['queued', 'running', 'waiting'].includes(body.status))
      throw new Error(`run ${runId} ended ${body.status} without waiting at ${step}`);
    if (Date.now() > deadline)
      throw new Error(`run ${runId} not waiting at ${step}: ${JSON.stringify(body.waitingFor)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
