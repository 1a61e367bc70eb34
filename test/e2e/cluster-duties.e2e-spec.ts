import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCluster, type TestCluster } from '../support/cluster.js';
import { TEST_STORE } from '../support/database.js';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { HecReceiver } from '../support/hec-receiver.js';
import { call, type ServiceProcess } from '../support/service-process.js';
import { ADMIN_KEY } from '../support/service.js';

/*
 * Two api processes and a worker. Telling approvers and delivering the export stream are done by
 * one api process for the cluster (a PostgreSQL advisory lock each): approvers get one notice,
 * the SIEM one copy of each event, whichever api process a request reached. When the process
 * doing them is killed, the other takes both over.
 */
const HEC_TOKEN = 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f';
const approve = `id: approve-in-cluster\nname: Approval told once\nsteps:\n  - id: approve_it\n    approval:\n      prompt: Go on?\n      approvers: [analyst]\n      timeout: 1h\n      channel: soc-teams\n  - id: done\n    action: core.noop\n`;

let fake: FakeCloud;
let cluster: TestCluster;
let apis: ServiceProcess[];
const hec = new HecReceiver(HEC_TOKEN);

async function until<T>(read: () => Promise<T> | T, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 100))) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(value).slice(0, 300)}`);
  }
}

/** The approval notices the fake Teams received for a run. */
const notices = (runId: string) =>
  fake
    .webhooks('teams')
    .filter((c) => JSON.stringify(c.body).includes(runId) && !JSON.stringify(c.body).includes('Reminder'));

async function startRun(api: ServiceProcess): Promise<string> {
  const started = await call(api.url, 'POST', '/api/v1/playbooks/approve-in-cluster/runs', { inputs: {} });
  expect(started.status).toBe(202);
  return started.body.runId as string;
}

async function postAlerts(api: ServiceProcess, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const posted = await call(api.url, 'POST', '/api/v1/alerts', {
      id: `duty-${i}`,
      title: `Cluster duty test ${i}`,
      severity: 'low',
      lastUpdateDateTime: '2026-11-22T08:00:00Z',
    });
    expect(posted.status).toBe(202);
  }
}

/** Every event of the stream so far, as the api process reads it. */
async function stream(api: ServiceProcess): Promise<string[]> {
  const response = await fetch(`${api.url}/api/v1/export/events?limit=5000`, {
    headers: { Authorization: `Bearer ${ADMIN_KEY}` },
  });
  return (await response.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { id: string }).id);
}

async function drained(api: ServiceProcess): Promise<void> {
  expect((await call(api.url, 'GET', '/api/v1/export/sinks/splunk/drained?wait=30')).status).toBe(200);
}

describe.runIf(TEST_STORE === 'postgres')('two api processes of a cluster', () => {
  beforeAll(async () => {
    fake = await startFakeCloud();
    fake.seedDemo();
    await hec.start();
    cluster = testCluster('duties');
    const env = {
      RIPOSTE_APPROVAL_NOTIFY_POLL_MS: '200',
      RIPOSTE_PUBLIC_URL: 'https://riposte.contoso.com/',
      RIPOSTE_EXPORT_MAX_BACKOFF_SECONDS: '0.5',
    };
    // The first api migrates the empty schema; then the second, and a worker to drive the runs.
    apis = [await cluster.start('api', env)];
    apis.push(await cluster.start('api', env));
    await cluster.start('worker', env);
    const [first, second] = apis as [ServiceProcess, ServiceProcess];
    const channel = { name: 'soc-teams', kind: 'teams', url: fake.hookUrl('teams') };
    expect((await call(second.url, 'POST', '/api/v1/notification-channels', channel)).status).toBe(201);
    const sink = { name: 'splunk', type: 'splunkHec', settings: { url: hec.url, index: 'riposte' }, token: HEC_TOKEN };
    expect((await call(second.url, 'POST', '/api/v1/export/sinks', sink)).status).toBe(201);
    const put = await fetch(`${first.url}/api/v1/playbooks/approve-in-cluster`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/yaml' },
      body: approve,
    });
    expect(put.status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await cluster?.close();
    await hec.stop();
    await fake?.close();
  });

  it('tells approvers once and delivers each event once; killed, the process doing both hands them to the other', async () => {
    const doing = (name: string) => apis.filter((a) => a.output().includes(`now does the cluster's ${name}`));
    expect(doing('approval notices')).toHaveLength(1);
    expect(doing('export stream')).toHaveLength(1);

    // Runs started through either api process: one notice each.
    const runs = [await startRun(apis[0]!), await startRun(apis[1]!)];
    await postAlerts(apis[1]!, 0, 10);
    await until(
      () => runs.map((r) => notices(r).length),
      (n) => n.every((c) => c >= 1),
    );
    // A later request's notice comes after any second copy of the first ones would have.
    const marker = await startRun(apis[0]!);
    await until(
      () => notices(marker).length,
      (n) => n >= 1,
    );
    expect(runs.map((r) => notices(r).length)).toEqual([1, 1]);
    await drained(apis[0]!);
    const sent = hec.received.map((e) => e.event.id);
    const expected = await stream(apis[0]!);
    expect(new Set(sent)).toEqual(new Set(expected));
    expect(sent).toHaveLength(new Set(sent).size);

    // The process doing both is killed: the other takes them over.
    const [killed] = doing('approval notices') as [ServiceProcess];
    const survivor = apis.find((a) => a !== killed)!;
    await killed.kill('SIGKILL');
    await until(
      () => survivor.output(),
      (out) =>
        out.includes("now does the cluster's approval notices") && out.includes("now does the cluster's export stream"),
    );
    const after = await startRun(survivor);
    await until(
      () => notices(after).length,
      (n) => n >= 1,
    );
    await postAlerts(survivor, 10, 10);
    await drained(survivor);
    // At least once across the handover: a batch sent just before the kill may be sent again.
    const all = new Set(hec.received.map((e) => e.event.id));
    for (const id of await stream(survivor)) expect(all.has(id), `event ${id} delivered`).toBe(true);
  }, 180_000);
});
