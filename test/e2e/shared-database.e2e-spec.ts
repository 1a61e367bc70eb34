import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { databaseEnv, TEST_STORE } from '../support/database.js';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, enableAutomation, startService, type TestService, waitForRun } from '../support/service.js';

/*
 * Two services on one PostgreSQL database, as the nodes of a cluster share it: every write that
 * reads before it writes (the audit chain's head, a budget, an alert seen before, an
 * idempotency key) stays right when requests to both meet. PostgreSQL only: a SQLite file has
 * one service.
 */
const CLI = fileURLToPath(new URL('../../dist/apps/api/src/cli.js', import.meta.url));
const run = promisify(execFile);
const disableOnAlert = `id: disable-on-alert\nname: Disable the user of a shared-database test alert\ninputs:\n  user: { type: string }\ntriggers:\n  - alert: { title: { glob: "Shared test*" } }\n    inputs:\n      user: \${{ alert.users[0].userPrincipalName }}\nsteps:\n  - id: disable\n    action: azure_ad.disable_user\n    with:\n      user: \${{ inputs.user }}\n`;
// Low severity: only the test playbook fires, not the shipped compromised-account playbook.
const alertFor = (i: number, upn: string) => ({
  id: `shared-${i}`,
  title: `Shared test ${i}`,
  severity: 'low',
  lastUpdateDateTime: '2026-11-22T08:00:00Z',
  evidence: [{ '@odata.type': '#microsoft.graph.security.userEvidence', userAccount: { userPrincipalName: upn } }],
});
const upn = (i: number) => `shared-user-${String(i).padStart(2, '0')}@contoso.com`;

let fake: FakeCloud;
let a: TestService;
let b: TestService;

async function until<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}

describe.runIf(TEST_STORE === 'postgres')('two services on one PostgreSQL database', () => {
  beforeAll(async () => {
    fake = await startFakeCloud();
    fake.seedDemo();
    for (let i = 0; i < 40; i++) fake.addUser({ userPrincipalName: upn(i), displayName: upn(i) });
    const dataDir = mkdtempSync(join(tmpdir(), 'riposte-shared-'));
    a = await startService({}, dataDir);
    expect((await a.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
    expect(
      (
        await a.request('PUT', '/api/v1/playbooks/disable-on-alert', {
          raw: disableOnAlert,
          headers: { 'Content-Type': 'application/yaml' },
        })
      ).status,
    ).toBe(201);
    // Alert-fired automation is opt-in per playbook.
    await enableAutomation(a, 'disable-on-alert');
    // Started after the target and the playbook exist, so it reads them at once (no cache to wait for).
    b = await startService({}, dataDir);
  }, 60_000);
  afterAll(async () => {
    await b?.close({ keepData: true });
    await a?.close();
    await fake?.close();
  });

  it('keeps one intact audit chain while both append to it at once', async () => {
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).request('POST', '/api/v1/api-keys', { body: { name: `key-${i}`, role: 'viewer' } }),
      ),
    );
    expect(created.map((c) => c.status)).toEqual(Array(40).fill(201));
    const { stdout } = await run(process.execPath, [CLI, 'audit-verify'], {
      env: { ...process.env, RIPOSTE_DATA_DIR: a.dataDir, RIPOSTE_ADMIN_KEY: '', ...(await databaseEnv(a.dataDir)) },
    });
    const checked = Number(/The audit chain is intact \((\d+) records\)/.exec(stdout)?.[1]);
    expect(checked).toBeGreaterThanOrEqual(40);
  }, 60_000);

  it('stores an alert that reaches both at once once, and fires one run for it', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        Promise.all([a, b].map((node) => node.request('POST', '/api/v1/alerts', { body: alertFor(i, upn(i)) }))),
      ),
    );
    for (const pair of answers) {
      expect(pair.map((p) => p.status)).toEqual([202, 202]);
      const alerts = pair.map((p) => p.body.alerts[0] as { id: string; duplicate: boolean; runs: string[] });
      expect(alerts.map((x) => x.duplicate).sort()).toEqual([false, true]);
      expect(alerts[0]!.id).toBe(alerts[1]!.id);
      expect(alerts.flatMap((x) => x.runs)).toHaveLength(1);
    }
    const runIds = answers.flatMap((pair) => pair.flatMap((p) => p.body.alerts[0].runs as string[]));
    for (const runId of runIds) expect((await waitForRun(a, runId, 60_000)).status).toBe('succeeded');
    expect(fake.count({ service: 'graph', method: 'PATCH', path: '/users/shared-user-' })).toBe(10);
  }, 120_000);

  it('lets both together spend the budget once: 20 disables an hour in all, the rest wait', async () => {
    // 10 of the 20 went in the test before; 20 more alerts, half to each service, find 10 places.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).request('POST', '/api/v1/alerts', { body: alertFor(100 + i, upn(10 + i)) }),
      ),
    );
    const runs = await until(async () => {
      const items = (await a.request('GET', '/api/v1/runs?playbook=disable-on-alert&limit=500')).body.items as {
        status: string;
      }[];
      const count = (status: string) => items.filter((r) => r.status === status).length;
      return items.length === 30 && count('succeeded') === 20 && count('waiting') === 10 ? items : undefined;
    });
    expect(runs).toHaveLength(30);
    expect(
      Array.from({ length: 30 }, (_, i) => upn(i)).filter((u) => fake.getUser(u)?.accountEnabled === false),
    ).toHaveLength(20);
  }, 120_000);

  it('starts one run for one Idempotency-Key sent to both at once', async () => {
    const headers = { 'Idempotency-Key': `shared-${Date.now()}` };
    const body = { action: 'azure_ad.get_user', connectionTarget: 'contoso', input: { user: DEMO.users.alex.upn } };
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).request('POST', '/api/v1/responses', { body, headers })),
    );
    for (const answer of answers)
      expect(
        answer.status === 202 || (answer.status === 409 && answer.body.code === 'idempotency_in_progress'),
        JSON.stringify(answer.body),
      ).toBe(true);
    expect(new Set(answers.filter((x) => x.status === 202).map((x) => x.body.runId)).size).toBe(1);
  });
});
