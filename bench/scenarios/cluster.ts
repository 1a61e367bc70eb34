import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DEMO, FakeCloud, createPki } from '@riposte/fake-cloud';
import { generateKey } from '@riposte/auth';
import { RESPONSE_PLAYBOOK, addBenchUsers, addFakeAlerts, benchAlert, benchUpn } from '../fixtures.js';
import { GUARDRAILS_YAML, ServiceProcess, env, metricSum, parseMetrics, percentile, round, sleep } from '../harness.js';
import { closedLoop } from '../load.js';
import {
  type CpuSample,
  adminQuery,
  countsBetween,
  cpuSample,
  deleteKeys,
  probeAll,
  topPerRun,
} from './cluster-parts.js';

/*
 * Cluster scaling: the throughput scenario's load (alerts posted by autocannon, each firing the
 * four-step playbook) against one process on SQLite, then against a queue-mode cluster on
 * PostgreSQL and Redis (one api process, 1, 2 and 4 worker processes). Runs finished per second
 * from the first post to the last run ended, run latency (created → ended) from the runs list,
 * and the scaling efficiency: runs/s per worker ÷ runs/s of one worker. Each pass has a fresh
 * store (a PostgreSQL schema of its own, a Redis key prefix of its own), dropped after.
 *
 * On one machine the processes share its cores: what a pass costs in CPU per run (api, workers,
 * the PostgreSQL backends serving this pass, Redis) and how many of the machine's cores were busy
 * say what limits it; scaling shows only with a machine (or cores) per worker.
 *
 * After the load, each pass also wakes a few runs parked on a short wait and measures how late
 * they resumed (due time → `run.resumed`): a JS timer in the one process on SQLite, a BullMQ
 * delayed job in queue mode.
 */
const TITLE = 'Bench cluster';
const WAIT_PLAYBOOK = `id: bench-wait
name: Bench wait, then read
inputs:
  user: { type: string }
steps:
  - id: pause
    wait: { duration: 2s }
  - id: read
    action: azure_ad.get_user
    with:
      user: \${{ inputs.user }}
`;

export interface ClusterPass {
  store: 'sqlite' | 'postgres';
  workers: number;
  /** Alerts posted, answers other than 202 by status, and runs the accepted alerts fired. */
  posted: number;
  refused: Record<string, number>;
  runs: number;
  finished: number;
  /** Every run the accepted alerts fired ended within the 300 s the pass waits. */
  complete: boolean;
  seconds: number;
  runsPerSecond: number;
  latencyMs: { p50: number; p99: number };
  /** runs/s per worker ÷ runs/s of one worker (PostgreSQL passes). */
  efficiency?: number;
  /** Runs ended per CPU-second of all the pass's parts (api, workers, PostgreSQL backends, Redis). */
  runsPerCpuSecond: number;
  /** runsPerCpuSecond ÷ that of one worker (PostgreSQL passes): what a worker added costs, whatever the cores. */
  cpuEfficiency?: number;
  /** Per run ended: SQL statements and transactions sent, and Redis commands, by part. */
  perRun: {
    statements: { api: number; workers: number };
    transactions: { api: number; workers: number };
    redis: { api: number; workers: number };
    /** The most frequent statements (`UPDATE runs`, …) and Redis commands, all processes. */
    topStatements: Record<string, number>;
    topRedis: Record<string, number>;
  };
  /** The machine's 1-minute load average at the end of the pass (the machine is shared). */
  loadAverage: number;
  /** CPU time per run ended during the measured window, by part (PostgreSQL: this pass's backends; Redis: the whole server, shared). */
  cpuMsPerRun: { api: number; workers: number; postgres: number; redis: number };
  /** With nothing to do (after the warm-up), per second: CPU (ms) by part, statements and Redis commands of all the processes. */
  idle: {
    cpuMsPerSecond: { api: number; workers: number; postgres: number; redis: number };
    statements: number;
    redis: number;
  };
  /** Cores kept busy on average during the window: by this pass's parts, and by the whole machine (others' work included). */
  busyCores: { pass: number; machine: number };
  /** How late parked runs resumed after their due time (a 2 s wait), over `wakeRuns` runs. */
  wakeLateMs: { p50: number; max: number; runs: number };
}

export interface ClusterResult {
  setup: { alerts: number; connections: number; fakeLatencyMs: number; warmup: number; cores: number };
  passes: ClusterPass[];
}

export async function measureCluster(): Promise<ClusterResult> {
  const alerts = env.int('BENCH_CLUSTER_ALERTS', 1000);
  const connections = env.int('BENCH_CLUSTER_CONNECTIONS', 16);
  const fakeLatencyMs = env.int('BENCH_CLUSTER_LATENCY_MS', 20);
  const warmup = env.int('BENCH_CLUSTER_WARMUP', 40);
  const idleSeconds = env.int('BENCH_CLUSTER_IDLE_S', 10);
  const workerCounts = env
    .str('BENCH_CLUSTER_WORKERS', '1,2,4')
    .split(',')
    .map((n) => Number(n));
  const postgresUrl = env.str('RIPOSTE_BENCH_POSTGRES_URL', 'postgres://postgres@127.0.0.1:5432/test');
  const redisUrl = env.str('RIPOSTE_BENCH_REDIS_URL', 'redis://127.0.0.1:6379');

  const dir = mkdtempSync(join(tmpdir(), 'riposte-bench-cluster-'));
  const pki = await createPki(join(dir, 'pki'));
  const fake = await FakeCloud.start({
    port: 0,
    tls: { cert: pki.serverCertPem, key: pki.serverKeyPem },
    latencyMs: fakeLatencyMs,
    requestLogSize: 1000,
  });
  fake.seedDemo();
  fake.getApp(DEMO.clientId)?.roles.graph?.push('RoleManagement.Read.Directory');
  const perPass = warmup + alerts;
  const passes = 1 + workerCounts.length;
  addBenchUsers(fake, perPass * passes);
  const ids = Array.from({ length: perPass * passes }, (_, i) => `bench-cl-${String(i).padStart(6, '0')}`);
  addFakeAlerts(fake, ids);
  const playbooksDir = join(dir, 'playbooks');
  mkdirSync(playbooksDir);
  writeFileSync(join(playbooksDir, 'bench-response.yaml'), RESPONSE_PLAYBOOK(TITLE));
  writeFileSync(join(playbooksDir, 'bench-wait.yaml'), WAIT_PLAYBOOK);
  writeFileSync(join(dir, 'guardrails.yaml'), GUARDRAILS_YAML);
  const key = generateKey();
  const common = {
    RIPOSTE_ADMIN_KEY: key,
    RIPOSTE_PLAYBOOKS_DIR: playbooksDir,
    RIPOSTE_GUARDRAILS_FILE: join(dir, 'guardrails.yaml'),
    NODE_EXTRA_CA_CERTS: pki.caFile,
    RIPOSTE_ALLOW_SELF_APPROVAL: 'true',
    RIPOSTE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };

  const results: ClusterPass[] = [];
  try {
    let pass = 0;
    const run = async (store: 'sqlite' | 'postgres', workers: number) => {
      const offset = pass++ * perPass;
      const name = `cluster-${store}-${workers}`;
      const schema = `riposte_bench_${process.pid}_${name.replace(/-/g, '_')}`;
      const prefix = `riposte-bench-${process.pid}-${name}`;
      const dataDir = join(dir, name);
      let storeEnv: Record<string, string> = {};
      if (store === 'postgres') {
        await adminQuery(postgresUrl, `CREATE SCHEMA ${pg.escapeIdentifier(schema)}`);
        const url = new URL(postgresUrl);
        url.searchParams.set('options', `-c search_path=${schema}`);
        // Names this pass's connections, so their backends' CPU is counted apart from others'.
        url.searchParams.set('application_name', prefix);
        storeEnv = { RIPOSTE_DATABASE_URL: url.toString(), RIPOSTE_REDIS_URL: redisUrl, RIPOSTE_REDIS_PREFIX: prefix };
      }
      const processes: ServiceProcess[] = [];
      let observer: pg.Client | undefined;
      const start = async (role: string, i = 0) => {
        const service = await ServiceProcess.start({
          name: `${name}-${role}-${i}`,
          dataDir,
          workDir: dir,
          env: { ...common, ...storeEnv, ...(store === 'postgres' ? { RIPOSTE_ROLE: role } : {}) },
        });
        processes.push(service);
        return service;
      };
      try {
        const api = await start(store === 'postgres' ? 'api' : 'all');
        if (store === 'postgres') {
          const url = new URL(postgresUrl);
          url.searchParams.set('options', `-c search_path=${schema}`);
          url.searchParams.set('application_name', 'riposte-bench-observer');
          observer = new pg.Client({ connectionString: url.toString() });
          await observer.connect();
        }
        const drivers =
          store === 'postgres'
            ? await Promise.all(Array.from({ length: workers }, (_, i) => start('worker', i)))
            : [api];
        const call = async (method: string, path: string, body?: unknown) => {
          const response = await fetch(`${api.url}${path}`, {
            method,
            headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          return { status: response.status, body: (await response.json()) as unknown };
        };
        const target = await call('POST', '/api/v1/connection-targets', {
          name: 'bench',
          tenantId: DEMO.tenantId,
          clientId: DEMO.clientId,
          cloud: 'custom',
          endpoints: fake.endpoints,
          auth: { type: 'clientSecret', clientSecret: DEMO.clientSecret },
        });
        if (target.status !== 201)
          throw new Error(`connection target: ${target.status} ${JSON.stringify(target.body)}`);
        const automation = await call('PUT', '/api/v1/playbooks/bench-response/automation', {
          enabled: true,
          reason: 'bench',
        });
        if (automation.status !== 200) throw new Error(`automation: ${automation.status}`);
        // Runs ended so far. In queue mode counted in PostgreSQL by the bench's own connection (its
        // backend is not one of the pass's): asking each worker's /metrics ten times a second cost
        // every worker CPU of its own, which grew with the number of workers.
        const finished = async () => {
          if (observer) {
            const rows = await observer.query<{ n: string }>(
              'SELECT count(*) AS n FROM runs WHERE "endedAt" IS NOT NULL',
            );
            return Number(rows.rows[0]?.n ?? 0);
          }
          let n = 0;
          for (const d of drivers) {
            const response = await fetch(`${d.url}/metrics`, { headers: { Authorization: `Bearer ${key}` } });
            n += metricSum(parseMetrics(await response.text()), 'riposte_runs_total');
          }
          return n;
        };
        // Runs the accepted alerts fired, and the answers that were not 202, by status.
        let created = 0;
        const refused: Record<string, number> = {};
        const post = (from: number, amount: number, conns: number) =>
          closedLoop({
            url: api.url,
            path: '/api/v1/alerts',
            key,
            connections: conns,
            amount,
            maxSeconds: 120,
            body: (i) => JSON.stringify(benchAlert(ids[from + i] as string, benchUpn(from + i), TITLE)),
            onResponse: (status, text) => {
              if (status !== 202) refused[status] = (refused[status] ?? 0) + 1;
              else
                created += (JSON.parse(text) as { alerts: { runs: string[] }[] }).alerts.reduce(
                  (n, a) => n + a.runs.length,
                  0,
                );
            },
          });
        // Warm-up: JIT, tokens, connection pools, in every process.
        await post(offset, warmup, 4);
        for (const deadline = Date.now() + 60_000; (await finished()) < warmup && Date.now() < deadline;)
          await sleep(200);
        const backends = new Map<number, number>();
        const cpu = () => cpuSample(processes[0]!, processes.slice(1), store === 'postgres' ? prefix : null, backends);
        // At rest: what the processes cost with no run to drive (sweeps, wake-up looks, polling).
        const idleBefore = { probes: await probeAll(processes), cpu: await cpu() };
        const idleStart = performance.now();
        await sleep(idleSeconds * 1000);
        const idleCpu = await cpu();
        const idleProbes = await probeAll(processes);
        const idleCounts = countsBetween(idleBefore.probes, idleProbes);
        if (env.flag('BENCH_CLUSTER_DETAIL'))
          process.stderr.write(
            `    at rest, per second: ${JSON.stringify(topPerRun({ ...idleCounts.byTable, ...idleCounts.redisByName }, idleSeconds, 40))}\n`,
          );
        const idleSpan = (performance.now() - idleStart) / 1000;
        const idlePer = (part: keyof CpuSample) => round((idleCpu[part] - idleBefore.cpu[part]) / idleSpan, 1);
        const idle = {
          cpuMsPerSecond: {
            api: idlePer('api'),
            workers: idlePer('workers'),
            postgres: idlePer('postgres'),
            redis: idlePer('redis'),
          },
          statements: round(idleCounts.statements / idleSpan, 1),
          redis: round(idleCounts.redis / idleSpan, 1),
        };
        const base = await finished();
        created = 0;
        for (const status of Object.keys(refused)) delete refused[status];
        const probesBefore = await probeAll(processes);
        const cpuBefore = await cpu();
        const t0 = performance.now();
        const since = Date.now();
        const load = await post(offset + warmup, alerts, connections);
        let done = 0;
        for (const deadline = Date.now() + 300_000; Date.now() < deadline;) {
          done = (await finished()) - base;
          if (done >= created) break;
          await sleep(100);
        }
        const seconds = (performance.now() - t0) / 1000;
        const cpuAfter = await cpu();
        const probesAfter = await probeAll(processes);
        const apiCounts = countsBetween(probesBefore.slice(0, 1), probesAfter.slice(0, 1));
        const driverCounts =
          store === 'postgres' ? countsBetween(probesBefore.slice(1), probesAfter.slice(1)) : countsBetween([], []);
        const all = countsBetween(probesBefore, probesAfter);
        const per = (n: number) => (done > 0 ? round(n / done, 2) : 0);
        const used = (part: keyof CpuSample) => cpuAfter[part] - cpuBefore[part];
        const perRun = (part: keyof CpuSample) => (done > 0 ? round(used(part) / done, 2) : 0);
        const passMs = used('api') + used('workers') + used('postgres') + used('redis');
        const wakeLateMs = await wakeLatency(call, benchUpn(offset));
        // Latency of the measured runs, from the runs list (created → ended).
        const latencies: number[] = [];
        let cursor: string | null = null;
        do {
          const reply = await call(
            'GET',
            `/api/v1/runs?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          );
          const page = reply.body as {
            items: { createdAt: string; endedAt: string | null }[];
            nextCursor: string | null;
          };
          for (const r of page.items)
            if (r.endedAt && Date.parse(r.createdAt) >= since)
              latencies.push(Date.parse(r.endedAt) - Date.parse(r.createdAt));
          cursor = page.nextCursor;
        } while (cursor);
        latencies.sort((a, b) => a - b);
        results.push({
          store,
          workers,
          posted: load.sent,
          refused: { ...refused, ...(load.errors ? { errors: load.errors } : {}) },
          runs: created,
          finished: done,
          seconds: round(seconds, 1),
          runsPerSecond: round(done / seconds, 1),
          complete: done >= created,
          latencyMs: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)) },
          loadAverage: round(loadavg()[0] ?? 0, 2),
          cpuMsPerRun: {
            api: perRun('api'),
            workers: perRun('workers'),
            postgres: perRun('postgres'),
            redis: perRun('redis'),
          },
          runsPerCpuSecond: passMs > 0 ? round(done / (passMs / 1000), 1) : 0,
          perRun: {
            statements: { api: per(apiCounts.statements), workers: per(driverCounts.statements) },
            transactions: { api: per(apiCounts.transactions), workers: per(driverCounts.transactions) },
            redis: { api: per(apiCounts.redis), workers: per(driverCounts.redis) },
            topStatements: topPerRun(all.byTable, Math.max(1, done), 10),
            topRedis: topPerRun(all.redisByName, Math.max(1, done), 8),
          },
          idle,
          busyCores: { pass: round(passMs / 1000 / seconds, 2), machine: round(used('machine') / 1000 / seconds, 2) },
          wakeLateMs,
        });
        process.stderr.write(`  ${name}: ${JSON.stringify(results.at(-1))}\n`);
        if (env.flag('BENCH_CLUSTER_DETAIL'))
          for (const [part, counts] of [
            ['api', apiCounts],
            ['workers', driverCounts],
          ] as const)
            process.stderr.write(
              `    ${part} per run: ${JSON.stringify({ ...topPerRun(counts.byTable, Math.max(1, done), 40), ...topPerRun(counts.redisByName, Math.max(1, done), 20) })}\n`,
            );
      } finally {
        await observer?.end();
        for (const p of processes) await p.stop();
        if (store === 'postgres') {
          await adminQuery(postgresUrl, `DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
          await deleteKeys(redisUrl, prefix);
        }
      }
    };
    await run('sqlite', 1);
    for (const n of workerCounts) await run('postgres', n);
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const one = results.find((r) => r.store === 'postgres' && r.workers === 1)?.runsPerSecond;
  const oneCpu = results.find((r) => r.store === 'postgres' && r.workers === 1)?.runsPerCpuSecond;
  for (const r of results) {
    if (r.store === 'postgres' && one) r.efficiency = round(r.runsPerSecond / r.workers / one, 2);
    if (r.store === 'postgres' && oneCpu) r.cpuEfficiency = round(r.runsPerCpuSecond / oneCpu, 2);
  }
  return {
    setup: { alerts, connections, fakeLatencyMs, warmup, cores: cpus().length },
    passes: results,
  };
}

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;
const WAKE_RUNS = 10;

/** Starts WAKE_RUNS runs parked on a 2 s wait; how late each resumed after its due time (from its timeline). */
async function wakeLatency(call: Call, user: string): Promise<ClusterPass['wakeLateMs']> {
  const ids: string[] = [];
  for (let i = 0; i < WAKE_RUNS; i++) {
    const started = await call('POST', '/api/v1/playbooks/bench-wait/runs', {
      connectionTarget: 'bench',
      inputs: { user },
    });
    if (started.status !== 202) throw new Error(`wait run: ${started.status} ${JSON.stringify(started.body)}`);
    ids.push((started.body as { runId: string }).runId);
  }
  const late: number[] = [];
  for (const id of ids) {
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(200)) {
      const run = (await call('GET', `/api/v1/runs/${id}`)).body as {
        status: string;
        timeline: { type: string; at: string; detail: { wakeAt?: string } | null }[];
      };
      if (['queued', 'running', 'waiting'].includes(run.status)) continue;
      const wakeAt = run.timeline.find((e) => e.type === 'run.waiting')?.detail?.wakeAt;
      const resumed = run.timeline.find((e) => e.type === 'run.resumed')?.at;
      if (wakeAt && resumed) late.push(Date.parse(resumed) - Date.parse(wakeAt));
      break;
    }
  }
  late.sort((a, b) => a - b);
  return { p50: Math.round(percentile(late, 50)), max: late.at(-1) ?? Number.NaN, runs: late.length };
}
