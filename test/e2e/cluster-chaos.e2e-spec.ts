import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, testCluster, type TestCluster, type TestRedis } from '../support/cluster.js';
import { TEST_STORE } from '../support/database.js';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { call, type ServiceProcess } from '../support/service-process.js';
import { ADMIN_KEY, demoTarget } from '../support/service.js';

/*
 * The cluster's chaos test: one api process and three workers on a Redis of the test's own;
 * 220 alerts fire one run each (a user disabled: a destructive call) while workers are killed
 * with SIGKILL at random moments (before an intent, between intent and call, after the call,
 * whatever the moment falls on), Redis is killed and started again empty, and one worker's
 * event loop is stopped (SIGSTOP) past its job lock and its run claims, then let go. At the end:
 * no run lost (every alert's run ends, or waits for a person with a reason), no run ended
 * `failed` because of the stall (the stalled worker gives its runs up and writes nothing; whoever
 * takes them over finishes them), and no user's disable sent twice, counted at the fake cloud.
 * PostgreSQL only (queue mode needs it).
 */
const RUNS = 220;
const WORKERS = 3;
const playbook = `id: chaos-disable\nname: Disable the user of a chaos alert\ninputs:\n  user: { type: string }\ntriggers:\n  - alert: { title: { glob: "Chaos test*" } }\n    inputs:\n      user: \${{ alert.users[0].userPrincipalName }}\nsteps:\n  - id: disable\n    action: azure_ad.disable_user\n    with:\n      user: \${{ inputs.user }}\n`;
const upn = (i: number) => `chaos-user-${String(i).padStart(3, '0')}@contoso.com`;
const alertFor = (i: number) => ({
  id: `chaos-${i}`,
  title: `Chaos test ${i}`,
  severity: 'low',
  lastUpdateDateTime: '2026-11-22T08:00:00Z',
  evidence: [{ '@odata.type': '#microsoft.graph.security.userEvidence', userAccount: { userPrincipalName: upn(i) } }],
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

let fake: FakeCloud;
let redis: TestRedis;
let cluster: TestCluster;
let api: ServiceProcess;
let workers: ServiceProcess[] = [];
const log: string[] = [];
const env = {
  RIPOSTE_RUN_CONCURRENCY: '6',
  // An effect left in flight by a killed worker is looked for at Azure; until it could no longer
  // land (the call's timeout and retry waits), it is not sent again: short here, so runs end soon.
  RIPOSTE_HTTP_TIMEOUT_MS: '4000',
  RIPOSTE_HTTP_MAX_RETRY_WAIT_SECONDS: '1',
};
const note = (line: string) => log.push(`${new Date().toISOString()} ${line}`);

describe.runIf(TEST_STORE === 'postgres')(
  'cluster chaos: one api, three workers, kills, a Redis restart, a stall',
  () => {
    beforeAll(async () => {
      // Every Graph answer takes a while: runs are in flight when the kills land.
      fake = await startFakeCloud({ latencyMs: 40 });
      fake.seedDemo();
      for (let i = 0; i < RUNS; i++) fake.addUser({ userPrincipalName: upn(i), displayName: upn(i) });
      redis = await startRedis();
      cluster = testCluster('chaos', redis.url);
      api = await cluster.start('api', env);
      workers = await Promise.all(Array.from({ length: WORKERS }, () => cluster.start('worker', env)));
      expect((await call(api.url, 'POST', '/api/v1/connection-targets', demoTarget(fake))).status).toBe(201);
      const put = await fetch(`${api.url}/api/v1/playbooks/chaos-disable`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/yaml' },
        body: playbook,
      });
      expect(put.status).toBe(201);
      expect(
        (await call(api.url, 'PUT', '/api/v1/playbooks/chaos-disable/automation', { enabled: true, reason: 'chaos' }))
          .status,
      ).toBe(200);
      // The hourly budget of user disables would hold most of the runs for a person: raised for the test.
      expect(
        (
          await call(api.url, 'PATCH', '/api/v1/guardrails', {
            budgets: { 'azure_ad.disable_user': { limit: 10_000, window: '1h' } },
          })
        ).status,
      ).toBe(200);
    }, 180_000);

    afterAll(async () => {
      await cluster?.close();
      await redis?.stop();
      await fake?.close();
    });

    it('loses no run and sends no destructive call twice', async () => {
      const runIds: string[] = [];
      const firing = (async () => {
        for (let batch = 0; batch < RUNS / 20; batch++) {
          const answers = await Promise.all(
            Array.from({ length: 20 }, (_, i) => call(api.url, 'POST', '/api/v1/alerts', alertFor(batch * 20 + i))),
          );
          for (const answer of answers) {
            expect(answer.status).toBe(202);
            runIds.push(...(answer.body.alerts[0].runs as string[]));
          }
          await sleep(700);
        }
        note(`fired ${runIds.length} runs`);
      })();

      // A killed worker is replaced in the background (a start takes seconds on a busy machine): the chaos goes on meanwhile.
      const starting: Promise<void>[] = [];
      const kill = async (victim: ServiceProcess) => {
        note(`SIGKILL worker ${victim.pid}`);
        workers = workers.filter((w) => w !== victim);
        await victim.kill('SIGKILL');
        starting.push(cluster.start('worker', env).then((w) => void workers.push(w)));
      };
      let stalled: ServiceProcess | undefined;
      const chaos = (async () => {
        await sleep(1_500 + Math.random() * 1_500);
        await kill(pick(workers));
        await sleep(500 + Math.random() * 1_000);

        // A stopped process is an event loop stalled: no job lock renewed, no run claim renewed; let go after both ran out.
        stalled = pick(workers);
        const stalledAt = Date.now();
        note(`SIGSTOP worker ${stalled.pid} for 12 s`);
        process.kill(stalled.pid, 'SIGSTOP');
        await sleep(1_000 + Math.random() * 1_000);

        note('Redis killed and started again, empty');
        await redis.restart();
        await sleep(Math.random() * 2_000);

        await kill(pick(workers.filter((w) => w !== stalled)));
        await sleep(Math.max(0, stalledAt + 12_000 - Date.now()));
        process.kill(stalled.pid, 'SIGCONT');
        note(`SIGCONT worker ${stalled.pid}`);
        await sleep(Math.random() * 3_000);

        await kill(pick(workers));
        await Promise.all(starting);
      })();
      await Promise.all([firing, chaos]);

      // Every run ends, or waits for a person (a hold) with a reason.
      const deadline = Date.now() + 120_000;
      let runs: any[] = [];
      for (;;) {
        runs = await Promise.all(runIds.map(async (id) => (await call(api.url, 'GET', `/api/v1/runs/${id}`)).body));
        const open = runs.filter((r) => r.status === 'queued' || r.status === 'running');
        const waiting = runs.filter((r) => r.status === 'waiting' && !(r.waitingFor?.length > 0));
        if (open.length === 0 && waiting.length === 0) break;
        if (Date.now() > deadline)
          throw new Error(
            `${open.length} run(s) still queued or running, ${waiting.length} waiting without a reason:\n${log.join('\n')}\n` +
              JSON.stringify(open.slice(0, 3), null, 1),
          );
        await sleep(500);
      }
      const byStatus = runs.reduce<Record<string, number>>(
        (n, r) => ({ ...n, [r.status]: (n[r.status] ?? 0) + 1 }),
        {},
      );
      const failures = runs
        .filter((r) => r.status !== 'succeeded')
        .map((r) => `${r.id} ${r.status} ${r.error?.code}: ${r.error?.message}`);
      const gaveUp = /stalled for \d+ ms|Claims not renewed in time/.exec(stalled?.output() ?? '')?.[0];
      console.log(
        `${log.join('\n')}\nruns by status: ${JSON.stringify(byStatus)}\nthe stalled worker: ${gaveUp ?? 'had no run to give up'}\n${failures.join('\n')}`,
      );

      expect(runIds).toHaveLength(RUNS);
      // A stalled worker stops driving: its refused calls and lost claims never end a run.
      const byStall = runs.filter(
        (r) =>
          (r.status === 'failed' || r.status === 'cancelled') &&
          /renew its claim|stalled past its claim|no longer held by this driver/.test(
            `${r.error?.message} ${JSON.stringify(r.steps ?? [])}`,
          ),
      );
      expect(byStall.map((r) => `${r.id} ${r.status}: ${r.error?.message}`)).toEqual([]);
      for (const run of runs) {
        if (run.status === 'failed' || run.status === 'cancelled') expect(run.error?.code, run.id).toBeTruthy();
        if (run.status === 'waiting') expect(run.waitingFor[0].prompt, run.id).toBeTruthy();
      }
      // At most one disable per user reached Azure, and every succeeded run's user is disabled.
      const patches = new Map<string, number>();
      for (const request of fake.requests({ service: 'graph', method: 'PATCH', path: '/users/chaos-user-' }))
        patches.set(request.path, (patches.get(request.path) ?? 0) + 1);
      const twice = [...patches].filter(([, n]) => n > 1);
      expect(twice, log.join('\n')).toEqual([]);
      for (let i = 0; i < RUNS; i++) {
        const run = runs.find((r) => r.trigger.alertId && r.input?.user === upn(i));
        if (run?.status === 'succeeded') expect(fake.getUser(upn(i))?.accountEnabled).toBe(false);
      }
      expect(byStatus.succeeded ?? 0).toBeGreaterThan(0);
    }, 300_000);
  },
);
