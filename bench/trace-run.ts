import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NOOP_PLAYBOOK, RESPONSE_PLAYBOOK, addBenchUsers, addFakeAlerts, benchAlert, benchUpn } from './fixtures.js';
import { type BenchEnvironment, metricSum, onFakeArrival, sleep, startEnvironment } from './harness.js';

/*
 * Every SQL statement one run costs, in order, grouped by transaction, with the Riposte code that
 * issued it (the probe's trace mode). A diagnostic, not part of `npm run bench`:
 *
 *   npm run build && node dist/bench/trace-run.js [response|noop|simple]
 *
 * `response`: one alert firing the four-step playbook of the throughput scenario (the alert's
 * POST included). `noop`: one run of a 3-step core.noop playbook started through the API.
 * `simple`: one simple response (disable, then enable, a user) posted to /api/v1/responses.
 */
const TITLE = 'Bench trace';
/** Runs before the traced one (BENCH_TRACE_WARM_UPS): the first ones compile and cache what later ones reuse. */
const WARM_UPS = Number(process.env.BENCH_TRACE_WARM_UPS ?? 3);

const DESCRIBED = {
  response: 'four-step alert-fired run (POST /api/v1/alerts included)',
  noop: '3-step core.noop run (POST /playbooks/{id}/runs included)',
  simple: 'simple response (POST /api/v1/responses included)',
};

interface Line {
  at: number;
  sql: string;
  stack: string;
}

const kind = process.argv[2] ?? 'response';
if (kind !== 'response' && kind !== 'noop' && kind !== 'simple')
  throw new Error('usage: node dist/bench/trace-run.js [response|noop|simple]');

const traceDir = mkdtempSync(join(tmpdir(), 'riposte-trace-'));
const traceFile = join(traceDir, 'trace.jsonl');
const bench = await startEnvironment({
  name: 'trace',
  latencyMs: 0,
  playbooks:
    kind === 'response'
      ? { 'bench-response': RESPONSE_PLAYBOOK(TITLE) }
      : { 'bench-noop-3': NOOP_PLAYBOOK('bench-noop-3', 3) },
  env: { BENCH_PROBE_TRACE: traceFile },
});
try {
  const ingestKey = await bench.createKey('ingest');
  addBenchUsers(bench.fake, 10);
  addFakeAlerts(
    bench.fake,
    Array.from({ length: 10 }, (_, i) => `bench-trace-${i}`),
  );
  // No polling while the traced run goes (each API call costs an API-key lookup): it ends well
  // within the pause, which is then checked.
  const azure: { at: number; call: string }[] = [];
  onFakeArrival(bench.fake, (path, at) => azure.push({ at: performance.timeOrigin + at, call: path }));
  const finishedRuns = async () => metricSum(await bench.metrics(), 'riposte_runs_total');
  const once = async (i: number): Promise<[number, number]> => {
    const base = await finishedRuns();
    const from = size(traceFile);
    const reply =
      kind === 'response'
        ? await bench.api('POST', '/api/v1/alerts', benchAlert(`bench-trace-${i}`, benchUpn(i), TITLE), ingestKey)
        : kind === 'simple'
          ? await bench.api('POST', '/api/v1/responses', {
              action: i % 2 ? 'azure_ad.enable_user' : 'azure_ad.disable_user',
              connectionTarget: 'bench',
              input: { user: benchUpn(0) },
            })
          : await bench.api('POST', '/api/v1/playbooks/bench-noop-3/runs', { inputs: {} });
    if (reply.status !== 202) throw new Error(`${reply.status} ${JSON.stringify(reply.body)}`);
    await sleep(1500);
    const to = size(traceFile);
    if ((await finishedRuns()) < base + 1) throw new Error('The run did not end within 1.5 s: rerun.');
    return [from, to];
  };
  for (let i = 0; i < WARM_UPS; i++) await once(i); // warm-up: caches, token, the JIT
  const [from, to] = await once(WARM_UPS);
  const lines = readFileSync(traceFile)
    .subarray(from, to)
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
  const first = lines[0]?.at ?? 0;
  const last = lines.at(-1)?.at ?? 0;
  print(
    lines,
    azure.filter((a) => a.at >= first && a.at <= last),
    bench,
  );
} finally {
  await bench.close();
  rmSync(traceDir, { recursive: true, force: true });
}

function size(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function print(lines: Line[], azure: { at: number; call: string }[], env: BenchEnvironment): void {
  // Polling of /metrics by this tool issues no SQL; API-key lookups of its requests do: they are marked.
  const start = lines[0]?.at ?? 0;
  let depth = 0;
  let transactions = 0;
  const byOrigin = new Map<string, number>();
  const out: string[] = [];
  const calls = [...azure];
  for (const [i, line] of lines.entries()) {
    while (calls[0] && calls[0].at <= line.at) {
      const call = calls.shift() as { at: number; call: string };
      out.push(
        `    ${(call.at - start).toFixed(1).padStart(7)} ms ${'  '.repeat(depth)}>>> Azure call reaches the fake cloud: ${call.call}`,
      );
    }
    const verb = line.sql.split(' ')[0]?.toUpperCase() ?? '';
    if (verb === 'COMMIT' || verb === 'ROLLBACK') depth = Math.max(0, depth - 1);
    const origin = line.stack.split(' < ')[0] ?? '';
    const where = origin.replace(/^async /, '').replace(/ \S+:\d+:\d+$/, '');
    byOrigin.set(where || '(no Riposte frame)', (byOrigin.get(where || '(no Riposte frame)') ?? 0) + 1);
    out.push(
      `${String(i + 1).padStart(3)} ${(line.at - start).toFixed(1).padStart(7)} ms ${'  '.repeat(depth)}${line.sql.slice(0, 150)}${line.stack ? `\n${' '.repeat(16 + depth * 2)}← ${line.stack}` : ''}`,
    );
    if (verb === 'BEGIN') {
      depth += 1;
      transactions += 1;
    }
  }
  for (const call of calls)
    out.push(`    ${(call.at - start).toFixed(1).padStart(7)} ms >>> Azure call reaches the fake cloud: ${call.call}`);
  process.stdout.write(
    `SQL of one ${DESCRIBED[kind as keyof typeof DESCRIBED]}: ${lines.length} statements, ${transactions} transactions (service ${env.url}); times from the first statement, fake latency 0 ms\n\n`,
  );
  process.stdout.write(`${out.join('\n')}\n\nStatements by the Riposte function that issued them:\n`);
  for (const [where, n] of [...byOrigin.entries()].sort((a, b) => b[1] - a[1]))
    process.stdout.write(`  ${String(n).padStart(4)}  ${where}\n`);
}
