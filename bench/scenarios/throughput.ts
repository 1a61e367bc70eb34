import { AzureCallMix } from '../azure-calls.js';
import { RESPONSE_PLAYBOOK, addBenchUsers, addFakeAlerts, benchAlert, benchUpn } from '../fixtures.js';
import { type BenchEnvironment, env, metricSum, round, sleep, startEnvironment } from '../harness.js';
import { closedLoop } from '../load.js';
import { RunProgress, countRuns } from '../progress.js';
import { type DatabaseStats, databaseStats, perUnit } from '../sqlite-stats.js';
import type { ProbeReport } from '../service-probe.js';

/*
 * Throughput: alerts posted as fast as `connections` clients can (autocannon, closed loop), each
 * firing the four-step playbook (condition, disable user, revoke sessions, update alert); runs
 * finished per second, from the first post to the last run ended. The same run also yields the
 * storage figures (SQL statements and database bytes per run) and the token count.
 */
const TITLE = 'Bench throughput';

export interface ThroughputResult {
  setup: {
    alerts: number;
    connections: number;
    fakeLatencyMs: number;
    runConcurrency: string;
    maxPostSeconds: number;
    drainSeconds: number;
    warmup: number;
  };
  posted: number;
  accepted: number;
  runsCreated: number;
  finished: number;
  byStatus: Record<string, number>;
  complete: boolean;
  postSeconds: number;
  ingestPerSecond: number;
  postLatencyMs: { p50: number; p99: number; max: number };
  totalSeconds: number;
  runsPerSecond: number;
  peakRunsPerSecond5s: number;
  cpuMsPerRun: number;
  serviceCpuUtilisation: number;
  azureCallsPerRun: number;
  azureCallMix: { call: string; perUnit: number; total: number }[];
  storage: StorageFigures;
  tokens: TokenFigures;
}

export interface StorageFigures {
  runs: number;
  statementsPerRun: number;
  transactionsPerRun: number;
  byKindPerRun: Record<string, number>;
  topStatementsPerRun: { statement: string; perRun: number }[];
  dbBytesPerRun: number;
  tablesPerRun: { table: string; rows: number; bytes: number }[];
  walBytes: number;
  fileBytes: number;
}

export interface TokenFigures {
  tokenRequests: number;
  actions: number;
  perThousandActions: number;
  /** Token requests that one per (target, resource) and token lifetime allows here. */
  allowed: number;
  byResource: Record<string, number>;
}

export async function measureThroughput(): Promise<ThroughputResult> {
  const alerts = env.int('BENCH_TP_ALERTS', 10_000);
  const connections = env.int('BENCH_TP_CONNECTIONS', 32);
  const fakeLatencyMs = env.int('BENCH_TP_LATENCY_MS', 0);
  const maxPostSeconds = env.int('BENCH_TP_MAX_SECONDS', 60);
  const drainSeconds = env.int('BENCH_TP_DRAIN_SECONDS', 120);
  const warmup = env.int('BENCH_TP_WARMUP', 200);
  const runConcurrency = process.env.BENCH_RUN_CONCURRENCY ?? '';
  const bench = await startEnvironment({
    name: 'throughput',
    latencyMs: fakeLatencyMs,
    playbooks: { 'bench-response': RESPONSE_PLAYBOOK(TITLE) },
    env: runConcurrency ? { RIPOSTE_RUN_CONCURRENCY: runConcurrency } : {},
  });
  try {
    addBenchUsers(bench.fake, warmup + alerts);
    const ids = Array.from({ length: warmup + alerts }, (_, i) => `bench-tp-${String(i).padStart(6, '0')}`);
    addFakeAlerts(bench.fake, ids);
    const ingestKey = await bench.createKey('ingest');
    const body = (offset: number) => (i: number) =>
      JSON.stringify(benchAlert(ids[offset + i] as string, benchUpn(offset + i), TITLE));

    // Warm-up: JIT, the token, the connection pool.
    const warm = new RunProgress(bench);
    await warm.start();
    await closedLoop({
      url: bench.url,
      path: '/api/v1/alerts',
      key: ingestKey,
      connections: 4,
      amount: warmup,
      maxSeconds: 60,
      body: body(0),
    });
    await warm.waitFor(warmup, 60_000);
    await warm.stop();

    const mix = new AzureCallMix(bench.fake);
    const progress = new RunProgress(bench);
    await progress.start();
    const before = await snapshot(bench);
    let runsCreated = 0;
    let accepted = 0;
    const t0 = performance.now();
    const load = await closedLoop({
      url: bench.url,
      path: '/api/v1/alerts',
      key: ingestKey,
      connections,
      amount: alerts,
      maxSeconds: maxPostSeconds,
      body: body(warmup),
      onResponse: (status, text) => {
        if (status !== 202) return;
        const reply = JSON.parse(text) as { accepted: number; alerts: { runs: string[] }[] };
        accepted += reply.accepted;
        for (const a of reply.alerts) runsCreated += a.runs.length;
      },
    });
    const postEnd = performance.now();
    // Posts cut off by the time cap were answered to no one but may have been stored: count the
    // alerts the service accepted (each fires one run) from its metrics, once the last are in.
    await sleep(1000);
    const newAlerts =
      metricSum(await bench.metrics(), 'riposte_alerts_total', { result: 'new' }) -
      metricSum(before.metrics, 'riposte_alerts_total', { result: 'new' });
    runsCreated = Math.max(runsCreated, newAlerts);
    accepted = Math.max(accepted, newAlerts);
    const complete = await progress.waitFor(runsCreated, drainSeconds * 1000);
    await progress.stop();
    mix.stop();
    const finished = progress.samples.at(-1)?.finished ?? 0;
    const lastAt = progress.reached(finished) ?? performance.now();
    const after = await snapshot(bench);
    const byStatus = await progress.byStatus();
    const listed = await countRuns(bench, 'playbook=bench-response&status=succeeded');
    if (complete && listed < warmup + (byStatus.succeeded ?? 0))
      throw new Error(
        `The runs list shows ${listed} succeeded runs; the metrics ${warmup + (byStatus.succeeded ?? 0)}.`,
      );

    const totalSeconds = (lastAt - t0) / 1000;
    const cpuMs = after.cpuMs - before.cpuMs;
    return {
      setup: {
        alerts,
        connections,
        fakeLatencyMs,
        runConcurrency: runConcurrency || '64 (default)',
        maxPostSeconds,
        drainSeconds,
        warmup,
      },
      posted: load.sent,
      accepted,
      runsCreated,
      finished,
      byStatus,
      complete,
      postSeconds: round((postEnd - t0) / 1000, 2),
      ingestPerSecond: round(accepted / ((postEnd - t0) / 1000)),
      postLatencyMs: load.latency,
      totalSeconds: round(totalSeconds, 2),
      runsPerSecond: round(finished / totalSeconds),
      peakRunsPerSecond5s: round(progress.peakRate(5000)),
      cpuMsPerRun: round(cpuMs / Math.max(1, finished), 2),
      serviceCpuUtilisation: round(cpuMs / (after.at - before.at), 2),
      azureCallsPerRun: round((after.graphCalls - before.graphCalls) / Math.max(1, finished), 2),
      azureCallMix: mix.perUnit(finished),
      storage: storageFigures(before, after, finished),
      tokens: await tokenFigures(bench),
    };
  } finally {
    await bench.close();
  }
}

interface Snapshot {
  at: number;
  metrics: Map<string, number>;
  cpuMs: number;
  probe: ProbeReport;
  db: DatabaseStats;
  graphCalls: number;
}

async function snapshot(bench: BenchEnvironment): Promise<Snapshot> {
  const cpuMs = bench.service.cpuMs();
  const at = performance.now();
  return {
    at,
    cpuMs,
    metrics: await bench.metrics(),
    probe: await bench.service.probe(),
    db: await databaseStats(bench.dataDir),
    graphCalls: bench.fake.count({ service: 'graph' }),
  };
}

export function storageFigures(before: Snapshot, after: Snapshot, runs: number): StorageFigures {
  const n = Math.max(1, runs);
  const sql = (s: Snapshot) => s.probe.sql;
  const byKindPerRun: Record<string, number> = {};
  for (const [kind, count] of Object.entries(sql(after).byKind)) {
    const delta = count - (sql(before).byKind[kind] ?? 0);
    if (delta) byKindPerRun[kind] = round(delta / n, 2);
  }
  const topStatementsPerRun = Object.entries(sql(after).byTable)
    .map(([statement, count]) => ({ statement, perRun: round((count - (sql(before).byTable[statement] ?? 0)) / n, 2) }))
    .filter((s) => s.perRun > 0)
    .sort((a, b) => b.perRun - a.perRun);
  const db = perUnit(before.db, after.db, n);
  return {
    runs,
    statementsPerRun: round((sql(after).statements - sql(before).statements) / n, 1),
    transactionsPerRun: round((sql(after).transactions - sql(before).transactions) / n, 2),
    byKindPerRun,
    topStatementsPerRun,
    dbBytesPerRun: Math.round(db.bytes),
    tablesPerRun: db.tables.map((t) => ({ table: t.table, rows: round(t.rows, 2), bytes: Math.round(t.bytes) })),
    walBytes: after.db.walBytes,
    fileBytes: after.db.fileBytes,
  };
}

/** Token requests over the life of the service, against the Azure actions it executed. */
export async function tokenFigures(bench: BenchEnvironment): Promise<TokenFigures> {
  const metrics = await bench.metrics();
  let actions = 0;
  for (const [series, value] of metrics)
    if (series.startsWith('riposte_actions_total{') && !series.includes('action="core.noop"')) actions += value;
  const byResource: Record<string, number> = {};
  for (const [series, value] of metrics) {
    const resource = /^riposte_token_requests_total\{.*resource="([^"]+)"/.exec(series)?.[1];
    if (resource) byResource[resource] = (byResource[resource] ?? 0) + value;
  }
  const tokenRequests = bench.fake.tokenRequests();
  // One target here; each resource used needs one token per lifetime (3599 s in the fake; every scenario is shorter).
  const allowed = Math.max(1, Object.keys(byResource).length);
  return {
    tokenRequests,
    actions,
    perThousandActions: round((tokenRequests * 1000) / Math.max(1, actions), 2),
    allowed,
    byResource,
  };
}
