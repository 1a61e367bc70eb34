import { NOOP_PLAYBOOK } from '../fixtures.js';
import { type BenchEnvironment, env, round, startEnvironment } from '../harness.js';
import { closedLoop } from '../load.js';
import { RunProgress } from '../progress.js';

/*
 * Engine overhead per step: N runs of a playbook of 1 + K `core.noop` steps against N runs of a
 * playbook of one; the difference in the service's CPU time (utime + stime of the process, all
 * threads, from /proc) divided by N × K. No Azure call is made. Runs are started through
 * POST /api/v1/playbooks/{id}/runs (autocannon), so the per-run figure includes the HTTP request.
 * SQL statements per step come from the probe in the service.
 */

export interface EngineOverheadResult {
  setup: { runs: number; extraSteps: number; connections: number; repeats: number };
  cpuMsPerRunOneStep: number;
  cpuMsPerRunManySteps: number;
  cpuUsPerStep: number;
  /** The spread of the per-step figure over the repeats (min–max). */
  cpuUsPerStepRange: [number, number];
  statementsPerStep: number;
  transactionsPerStep: number;
  wallMsPerStep: number;
}

export async function measureEngineOverhead(): Promise<EngineOverheadResult> {
  const runs = env.int('BENCH_ENGINE_RUNS', 300);
  const extraSteps = env.int('BENCH_ENGINE_EXTRA_STEPS', 10);
  const connections = env.int('BENCH_ENGINE_CONNECTIONS', 8);
  const repeats = env.int('BENCH_ENGINE_REPEATS', 2);
  const bench = await startEnvironment({
    name: 'engine-overhead',
    latencyMs: 0,
    playbooks: {
      'bench-noop-1': NOOP_PLAYBOOK('bench-noop-1', 1),
      [`bench-noop-${1 + extraSteps}`]: NOOP_PLAYBOOK(`bench-noop-${1 + extraSteps}`, 1 + extraSteps),
    },
  });
  try {
    await batch(bench, 'bench-noop-1', Math.min(100, runs), connections); // warm-up
    await batch(bench, `bench-noop-${1 + extraSteps}`, Math.min(100, runs), connections);
    const one: Batch[] = [];
    const many: Batch[] = [];
    for (let r = 0; r < repeats; r++) {
      one.push(await batch(bench, 'bench-noop-1', runs, connections));
      many.push(await batch(bench, `bench-noop-${1 + extraSteps}`, runs, connections));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const perStep = one.map((o, i) => ((many[i] as Batch).cpuMs - o.cpuMs) / (runs * extraSteps));
    return {
      setup: { runs, extraSteps, connections, repeats },
      cpuMsPerRunOneStep: round(mean(one.map((b) => b.cpuMs)) / runs, 2),
      cpuMsPerRunManySteps: round(mean(many.map((b) => b.cpuMs)) / runs, 2),
      cpuUsPerStep: Math.round(mean(perStep) * 1000),
      cpuUsPerStepRange: [Math.round(Math.min(...perStep) * 1000), Math.round(Math.max(...perStep) * 1000)],
      statementsPerStep: round(
        (mean(many.map((b) => b.statements)) - mean(one.map((b) => b.statements))) / (runs * extraSteps),
        1,
      ),
      transactionsPerStep: round(
        (mean(many.map((b) => b.transactions)) - mean(one.map((b) => b.transactions))) / (runs * extraSteps),
        2,
      ),
      wallMsPerStep: round((mean(many.map((b) => b.wallMs)) - mean(one.map((b) => b.wallMs))) / (runs * extraSteps), 3),
    };
  } finally {
    await bench.close();
  }
}

interface Batch {
  cpuMs: number;
  wallMs: number;
  statements: number;
  transactions: number;
}

async function batch(bench: BenchEnvironment, playbook: string, runs: number, connections: number): Promise<Batch> {
  const progress = new RunProgress(bench, 100);
  await progress.start();
  const before = await bench.service.probe();
  const cpuBefore = bench.service.cpuMs();
  const started = performance.now();
  const load = await closedLoop({
    url: bench.url,
    path: `/api/v1/playbooks/${playbook}/runs`,
    key: bench.key,
    connections,
    amount: runs,
    maxSeconds: 300,
    body: () => '{"inputs":{}}',
  });
  if (load.ok !== runs)
    throw new Error(
      `Starting ${runs} runs of ${playbook}: ${load.ok} accepted, ${load.non2xx} refused, ${load.errors} errors.`,
    );
  if (!(await progress.waitFor(runs, 300_000))) throw new Error(`${playbook}: the runs did not finish within 300 s.`);
  const wallMs = (progress.reached(runs) ?? performance.now()) - started;
  const cpuMs = bench.service.cpuMs() - cpuBefore;
  await progress.stop();
  const status = await progress.byStatus();
  if ((status.succeeded ?? 0) !== runs) throw new Error(`${playbook}: ${JSON.stringify(status)} of ${runs} runs.`);
  const after = await bench.service.probe();
  return {
    cpuMs,
    wallMs,
    statements: after.sql.statements - before.sql.statements,
    transactions: after.sql.transactions - before.sql.transactions,
  };
}
