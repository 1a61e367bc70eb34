import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL, testCluster, type TestCluster } from '../support/cluster.js';
import { TEST_STORE } from '../support/database.js';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { call, type ServiceProcess } from '../support/service-process.js';
import { ADMIN_KEY, demoTarget } from '../support/service.js';

/*
 * Queue mode: one api process and two workers (the built service, as child processes) on one
 * PostgreSQL schema and a Redis key prefix of their own. The api only takes requests and queues
 * runs; the workers drive them; a worker killed in the middle of a destructive call has its run
 * taken over by another, which reconciles the call with Azure instead of sending it again.
 * PostgreSQL only: queue mode is refused beside SQLite.
 */
const disableOnAlert = `id: disable-on-alert\nname: Disable the user of a cluster test alert\ninputs:\n  user: { type: string }\ntriggers:\n  - alert: { title: { glob: "Cluster test*" } }\n    inputs:\n      user: \${{ alert.users[0].userPrincipalName }}\nsteps:\n  - id: disable\n    action: azure_ad.disable_user\n    with:\n      user: \${{ inputs.user }}\n`;
const alertFor = (i: number, upn: string) => ({
  id: `cluster-${i}`,
  title: `Cluster test ${i}`,
  severity: 'low',
  lastUpdateDateTime: '2026-11-22T08:00:00Z',
  evidence: [{ '@odata.type': '#microsoft.graph.security.userEvidence', userAccount: { userPrincipalName: upn } }],
});
const waitThenRead = `id: wait-then-read\nname: Wait a moment, then read a user\ninputs:\n  user: { type: string }\nsteps:\n  - id: pause\n    wait: { duration: 3s }\n  - id: read\n    action: azure_ad.get_user\n    with:\n      user: \${{ inputs.user }}\n`;
const upn = (i: number) => `cluster-user-${String(i).padStart(2, '0')}@contoso.com`;
const ENDED = (status: string) => !['queued', 'running', 'waiting'].includes(status);

let fake: FakeCloud;
let cluster: TestCluster;
let api: ServiceProcess;
let workers: ServiceProcess[];

async function waitForRun(runId: string, timeoutMs = 60_000): Promise<any> {
  for (const deadline = Date.now() + timeoutMs; ;) {
    const { body } = await call(api.url, 'GET', `/api/v1/runs/${runId}`);
    if (ENDED(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.runIf(TEST_STORE === 'postgres')('queue mode: one api process, two workers', () => {
  beforeAll(async () => {
    fake = await startFakeCloud();
    fake.seedDemo();
    for (let i = 0; i < 20; i++) fake.addUser({ userPrincipalName: upn(i), displayName: upn(i) });
    fake.addUser({ userPrincipalName: 'cluster-cancel@contoso.com', displayName: 'Cluster cancel' });
    cluster = testCluster('cluster');
    // The api first: it migrates the empty schema; the workers find it ready.
    api = await cluster.start('api');
    workers = await Promise.all([cluster.start('worker'), cluster.start('worker')]);
    expect((await call(api.url, 'POST', '/api/v1/connection-targets', demoTarget(fake))).status).toBe(201);
    const put = await fetch(`${api.url}/api/v1/playbooks/disable-on-alert`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/yaml' },
      body: disableOnAlert,
    });
    expect(put.status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await cluster?.close();
    await fake?.close();
  });

  it('names the role at start, and a worker answers only /health and /metrics, with a problem saying where to go', async () => {
    expect(api.output()).toMatch(/queue mode, role api/);
    expect(workers[0]!.output()).toMatch(/queue mode, role worker/);
    expect((await call(workers[0]!.url, 'GET', '/health')).status).toBe(200);
    const refused = await call(workers[0]!.url, 'GET', '/api/v1/runs');
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ code: 'worker_process' });
    expect(refused.body.detail).toMatch(/Send API requests to an api process/);
  });

  it('drives the runs of alerts sent to the api on the workers, each destructive call once', async () => {
    expect(
      (
        await call(api.url, 'PUT', '/api/v1/playbooks/disable-on-alert/automation', {
          enabled: true,
          reason: 'cluster test',
        })
      ).status,
    ).toBe(200);
    const tokensBefore = fake.tokenRequests();
    // One first (one of the workers asks Entra ID for the Graph token and shares it), then the rest at once.
    const first = await call(api.url, 'POST', '/api/v1/alerts', alertFor(0, upn(0)));
    expect((await waitForRun(first.body.alerts[0].runs[0])).status).toBe('succeeded');
    const answers = await Promise.all(
      Array.from({ length: 11 }, (_, i) => call(api.url, 'POST', '/api/v1/alerts', alertFor(i + 1, upn(i + 1)))),
    );
    const runIds = [first, ...answers].flatMap((a) => a.body.alerts[0].runs as string[]);
    expect(runIds).toHaveLength(12);
    for (const runId of runIds) {
      const run = await waitForRun(runId);
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    }
    expect(fake.count({ service: 'graph', method: 'PATCH', path: '/users/cluster-user-' })).toBe(12);
    for (let i = 0; i < 12; i++) expect(fake.getUser(upn(i))?.accountEnabled).toBe(false);
    // Both workers drove runs with one Graph token between them: the msal cache is shared through Redis.
    console.log(`token requests: ${tokensBefore} before the runs, ${fake.tokenRequests()} after`);
    expect(fake.tokenRequests() - tokensBefore).toBeLessThanOrEqual(1);
  }, 120_000);

  it('fires one run for an alert that reaches two api processes at once', async () => {
    const second = await cluster.start('api');
    const alert = { ...alertFor(50, upn(19)), id: 'cluster-twice', title: 'Cluster test twice' };
    const answers = await Promise.all([api, second].map((node) => call(node.url, 'POST', '/api/v1/alerts', alert)));
    expect(answers.map((a) => a.status)).toEqual([202, 202]);
    const runs = answers.flatMap((a) => a.body.alerts[0].runs as string[]);
    expect(runs).toHaveLength(1);
    expect((await waitForRun(runs[0]!)).status).toBe('succeeded');
    expect(fake.count({ service: 'graph', method: 'PATCH', path: `/users/${upn(19)}` })).toBe(1);
    await second.kill('SIGTERM');
  }, 90_000);

  it('polls an enabled Graph alerts feed from an api process, on a schedule the cluster shares', async () => {
    const afterSeq = fake.lastRequestSeq;
    const enabled = await call(api.url, 'PUT', '/api/v1/connectors/contoso/alerts', {
      enabled: true,
      intervalSeconds: 3600,
    });
    expect(enabled.status).toBe(200);
    await fake.waitForRequest({ service: 'graph', method: 'GET', path: '/security/alerts_v2', afterSeq }, 30_000);
    for (const deadline = Date.now() + 30_000; ;) {
      const feed = (await call(api.url, 'GET', '/api/v1/connectors')).body.items.find(
        (c: { connectionTarget: string; feed: string }) => c.connectionTarget === 'contoso' && c.feed === 'alerts',
      );
      if (feed?.lastPollAt) {
        expect(feed.status).toBe('ok');
        break;
      }
      if (Date.now() > deadline) throw new Error('the feed was not polled');
      await new Promise((r) => setTimeout(r, 100));
    }
    const disabled = await call(api.url, 'PUT', '/api/v1/connectors/contoso/alerts', { enabled: false });
    expect(disabled.status).toBe(200);
  });

  it('keeps the shared token cache in Redis encrypted: no token in the clear', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${cluster.prefix}:token-cache:*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0');
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        const value = (await redis.get(key)) ?? '';
        expect(value).toMatch(/^v1\./);
        // msal's cache in the clear names its AccessToken entries, and a JWT starts with its header
        // (`{"alg"…` or `{"typ"…`): a few base64 characters alone ("eyJ") also turn up in ciphertext.
        expect(value).not.toMatch(/AccessToken|eyJhbGciOi|eyJ0eXAiOi/);
      }
    } finally {
      redis.disconnect();
    }
  });

  it('cancels a run a worker is driving, from the api process', async () => {
    // The disable call hangs at Azure, so the run is in a worker's hands when the cancel arrives.
    const fault = fake.faults.inject({
      service: 'graph',
      method: 'PATCH',
      path: '/users/',
      delayMs: 60_000,
      effect: 'late',
    });
    const afterSeq = fake.lastRequestSeq;
    const started = await call(api.url, 'POST', '/api/v1/responses', {
      action: 'azure_ad.disable_user',
      connectionTarget: 'contoso',
      input: { user: 'cluster-cancel@contoso.com' },
    });
    expect(started.status).toBe(202);
    await fake.waitForRequest({ service: 'graph', method: 'PATCH', afterSeq }, 30_000).catch(async (error: Error) => {
      fault.remove();
      throw new Error(
        `${error.message}: ${JSON.stringify((await call(api.url, 'GET', `/api/v1/runs/${started.body.runId}`)).body)}`,
      );
    });
    const cancelled = await call(api.url, 'POST', `/api/v1/runs/${started.body.runId}/cancel`);
    fault.remove();
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
  }, 60_000);

  it("wakes a parked run with a BullMQ delayed job at its due time, not with the database's look", async () => {
    const put = await fetch(`${api.url}/api/v1/playbooks/wait-then-read`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/yaml' },
      body: waitThenRead,
    });
    expect(put.status).toBe(201);
    const started = await call(api.url, 'POST', '/api/v1/playbooks/wait-then-read/runs', {
      connectionTarget: 'contoso',
      inputs: { user: DEMO.users.megan.upn },
    });
    expect(started.status).toBe(202);
    const runId = started.body.runId as string;
    const queue = new Queue('runs', { connection: { url: TEST_REDIS_URL }, prefix: `${cluster.prefix}:bull` });
    try {
      // Parked on its wait: a delayed job (`<run>-v<version>-at`) is there for its due time.
      let wake: Awaited<ReturnType<Queue['getJob']>>;
      for (const deadline = Date.now() + 30_000; !wake;) {
        wake = (await queue.getDelayed()).find((job) => job.data.runId === runId);
        if (Date.now() > deadline) throw new Error(`no delayed job for run ${runId}`);
        if (!wake) await new Promise((r) => setTimeout(r, 50));
      }
      expect(wake!.id).toMatch(new RegExp(`^${runId}-v\\d+-at$`));
      expect(wake!.delay).toBeGreaterThan(0);
      const run = await waitForRun(runId);
      expect(run).toMatchObject({ status: 'succeeded' });
      // The run was woken by that job: done, having driven it (RunWakeups' look leaves a due run to
      // its job for 5 s, so nothing else queued it).
      const done = (await queue.getJob(wake!.id!))!;
      expect(await done.getState()).toBe('completed');
      expect(done.returnvalue).toBe('driven');
    } finally {
      await queue.close();
    }
  }, 60_000);

  it('hands the run of a worker killed during its destructive call to another, which reconciles it: one PATCH', async () => {
    // One worker left to take the run; a fresh one stands by to take it over.
    await workers[1]!.kill('SIGTERM');
    fake.faults.inject({ service: 'graph', method: 'PATCH', path: '/users/', effect: 'before', delayMs: 60_000 });
    const afterSeq = fake.lastRequestSeq;
    const started = await call(api.url, 'POST', '/api/v1/responses', {
      action: 'azure_ad.disable_user',
      connectionTarget: 'contoso',
      input: { user: DEMO.users.adele.upn },
    });
    expect(started.status).toBe(202);
    await fake.waitForRequest({ service: 'graph', method: 'PATCH', afterSeq }, 30_000);
    const standBy = await cluster.start('worker');
    const killedAt = Date.now();
    await workers[0]!.kill('SIGKILL');
    const run = await waitForRun(started.body.runId);
    console.log(`taken over and finished ${Date.now() - killedAt} ms after the kill`);
    expect(run.status).toBe('succeeded');
    expect(run.steps[0]).toMatchObject({ status: 'succeeded', attempts: 2, output: { accountEnabled: false } });
    expect(fake.requests({ service: 'graph', method: 'PATCH', path: '/users/', afterSeq })).toHaveLength(1);
    expect(standBy.output()).toMatch(/reconciled an unsettled effect with Azure/);
  }, 120_000);
});
