import { APPROVAL_PLAYBOOK, benchAlert, benchUpn } from '../fixtures.js';
import { type BenchEnvironment, env, round, sleep, startEnvironment } from '../harness.js';
import { closedLoop } from '../load.js';
import { RunProgress, countRuns } from '../progress.js';
import { databaseStats, perUnit } from '../sqlite-stats.js';

/*
 * Memory and recovery with runs waiting for an approval (a 4 h approval step, then a no-op).
 *
 * Memory: the service's RSS (/proc) before and after N runs were started by alerts (posted 100 to
 * a request) and parked at their approval, with a forced GC (the probe; the service runs with
 * --expose-gc) before each reading; the difference over N is the cost of a waiting run. The V8
 * heap in use is reported beside it.
 *
 * Recovery: SIGTERM, then a new service process on the same data: time from spawn to a healthy
 * /health (the service resumes unfinished runs during bootstrap, before it listens), then a check
 * through the API that every run is still waiting, and the time an approval takes to end a run.
 */
const TITLE = 'Bench approval';
const PER_REQUEST = 100;

export interface WaitingResult {
  setup: { runs: number; perRequest: number };
  created: number;
  waiting: number;
  createSeconds: number;
  createdPerSecond: number;
  memory: {
    rssBeforeBytes: number;
    rssAfterBytes: number;
    bytesPerWaitingRun: number;
    heapUsedBeforeBytes: number;
    heapUsedAfterBytes: number;
    heapBytesPerWaitingRun: number;
    /** After the restart: RSS with the runs recovered, against a fresh service's RSS on an empty database. */
    rssFreshServiceBytes: number;
    /** The restarted process before anything asked about the runs: what parked runs cost at rest. */
    rssAtRestBytes: number;
    bytesPerParkedRunAtRest: number;
    rssAfterRecoveryBytes: number;
    bytesPerRecoveredRun: number;
  };
  storage: {
    dbBytesPerWaitingRun: number;
    statementsPerWaitingRun: number;
    transactionsPerWaitingRun: number;
    tablesPerRun: { table: string; rows: number; bytes: number }[];
  };
  recovery: {
    stopMs: number;
    emptyStartMs: number;
    startMs: number;
    listedWaiting: number;
    listMs: number;
    approvalToEndMs: number[];
    sample: number;
  };
}

export async function measureWaiting(): Promise<WaitingResult> {
  const runs = env.int('BENCH_WAITING_RUNS', 10_000);
  const maxWaitSeconds = env.int('BENCH_WAITING_MAX_SECONDS', 240);
  const warmup = 100;
  const bench = await startEnvironment({
    name: 'waiting',
    latencyMs: 0,
    playbooks: { 'bench-approval': APPROVAL_PLAYBOOK(TITLE) },
  });
  try {
    const emptyStartMs = bench.service.startMs;
    await sleep(1000);
    const fresh = await settledMemory(bench);
    const ingestKey = await bench.createKey('ingest');
    const post = (offset: number, count: number, connections: number) =>
      closedLoop({
        url: bench.url,
        path: '/api/v1/alerts',
        key: ingestKey,
        connections,
        amount: Math.ceil(count / PER_REQUEST),
        maxSeconds: maxWaitSeconds,
        body: (r) =>
          JSON.stringify({
            value: Array.from(
              { length: Math.min(PER_REQUEST, count - r * PER_REQUEST) },
              (_, j) => offset + r * PER_REQUEST + j,
            ).map((i) => benchAlert(`bench-wait-${i}`, benchUpn(i), TITLE)),
          }),
      });

    await post(0, warmup, 1);
    if (!(await quiet(bench, 60_000))) throw new Error('The warm-up runs did not park within 60 s.');
    const before = await settledMemory(bench);
    const probeBefore = await bench.service.probe();
    const dbBefore = await databaseStats(bench.dataDir);

    const started = performance.now();
    const load = await post(warmup, runs, 4);
    if (!(await quiet(bench, maxWaitSeconds * 1000)))
      process.stderr.write(`  ! waiting: runs still queued or running after ${maxWaitSeconds} s\n`);
    const createSeconds = (performance.now() - started) / 1000;
    const created = load.ok * PER_REQUEST;
    const waiting = (await countRuns(bench, 'status=waiting')) - warmup;
    await sleep(2000);
    const after = await settledMemory(bench);
    const probeAfter = await bench.service.probe();
    const dbAfter = await databaseStats(bench.dataDir);
    const n = Math.max(1, waiting);

    // Recovery.
    const { stopMs, service } = await bench.restartService('recovery');
    // At rest first: nothing has asked for the runs yet, so this is what parked runs cost a process.
    await sleep(1000);
    const atRest = await settledMemory(bench);
    const listStarted = performance.now();
    const listedWaiting = (await countRuns(bench, 'status=waiting')) - warmup;
    const listMs = performance.now() - listStarted;
    await sleep(1000);
    const recovered = await settledMemory(bench);
    const sample = 20;
    const page = await bench.api<{ items: { id: string }[] }>('GET', `/api/v1/runs?status=waiting&limit=${sample}`);
    const progress = new RunProgress(bench, 20);
    await progress.start();
    const approvalToEndMs: number[] = [];
    for (const { id } of page.body.items) {
      const t = performance.now();
      const target = (progress.samples.at(-1)?.finished ?? 0) + 1;
      const decided = await bench.api('POST', `/api/v1/runs/${id}/approvals/approve`, {
        decision: 'approve',
        comment: 'bench',
      });
      if (decided.status !== 200)
        throw new Error(`Approving run ${id}: ${decided.status} ${JSON.stringify(decided.body)}`);
      if (!(await progress.waitFor(target, 30_000)))
        throw new Error(`Run ${id} did not end within 30 s of its approval.`);
      approvalToEndMs.push(round(performance.now() - t, 1));
    }
    await progress.stop();
    const db = perUnit(dbBefore, dbAfter, n);
    return {
      setup: { runs, perRequest: PER_REQUEST },
      created,
      waiting,
      createSeconds: round(createSeconds, 1),
      createdPerSecond: round(waiting / createSeconds),
      memory: {
        rssBeforeBytes: before.rss,
        rssAfterBytes: after.rss,
        bytesPerWaitingRun: Math.round((after.rss - before.rss) / n),
        heapUsedBeforeBytes: before.heapUsed,
        heapUsedAfterBytes: after.heapUsed,
        heapBytesPerWaitingRun: Math.round((after.heapUsed - before.heapUsed) / n),
        rssFreshServiceBytes: fresh.rss,
        rssAtRestBytes: atRest.rss,
        bytesPerParkedRunAtRest: Math.round((atRest.rss - fresh.rss) / n),
        rssAfterRecoveryBytes: recovered.rss,
        bytesPerRecoveredRun: Math.round((recovered.rss - fresh.rss) / n),
      },
      storage: {
        dbBytesPerWaitingRun: Math.round(db.bytes),
        statementsPerWaitingRun: round((probeAfter.sql.statements - probeBefore.sql.statements) / n, 1),
        transactionsPerWaitingRun: round((probeAfter.sql.transactions - probeBefore.sql.transactions) / n, 2),
        tablesPerRun: db.tables.map((t) => ({ table: t.table, rows: round(t.rows, 2), bytes: Math.round(t.bytes) })),
      },
      recovery: {
        stopMs: Math.round(stopMs),
        emptyStartMs: Math.round(emptyStartMs),
        startMs: Math.round(service.startMs),
        listedWaiting,
        listMs: Math.round(listMs),
        approvalToEndMs,
        sample,
      },
    };
  } finally {
    await bench.close();
  }
}

/** RSS and heap after a forced garbage collection in the service. */
async function settledMemory(bench: BenchEnvironment): Promise<{ rss: number; heapUsed: number }> {
  const report = await bench.service.probe({ gc: true });
  await sleep(200);
  return { rss: bench.service.memory().rss, heapUsed: (report.memoryAfterGc ?? report.memory).heapUsed };
}

/** True once no run is queued or running. */
async function quiet(bench: BenchEnvironment, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const running = await bench.api<{ items: unknown[] }>('GET', '/api/v1/runs?status=running&limit=1');
    const queued = await bench.api<{ items: unknown[] }>('GET', '/api/v1/runs?status=queued&limit=1');
    if (running.body.items.length === 0 && queued.body.items.length === 0) return true;
    await sleep(500);
  }
  return false;
}
