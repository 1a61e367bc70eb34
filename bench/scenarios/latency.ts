import {
  BENCH_UPN_PATTERN,
  RESPONSE_PLAYBOOK,
  addBenchUsers,
  addFakeAlerts,
  benchAlert,
  benchUpn,
} from '../fixtures.js';
import { type BenchEnvironment, env, onFakeArrival, percentile, round, sleep, startEnvironment } from '../harness.js';
import { steadyRate } from '../load.js';
import { RunProgress } from '../progress.js';

/*
 * Latency: alerts posted at a steady rate (autocannon, open loop, see steadyRate); for each, the
 * time from its POST leaving the client to the first Azure call about its user reaching the fake
 * cloud (taken when the request arrives, before the fake's simulated latency). The four-step
 * playbook of the throughput scenario; the fake answers every call after `fakeLatencyMs`.
 * A first pass at a light rate warms the service up and shows the latency without queueing.
 */
const TITLE = 'Bench latency';

export interface LatencyPass {
  targetRate: number;
  seconds: number;
  sent: number;
  achievedRate: number;
  measured: number;
  /** Alerts whose first Azure call had not arrived when the pass stopped waiting. */
  censored: number;
  waitedSeconds: number;
  /** ms; Infinity when censored alerts reach that percentile. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  postLatencyMs: { p50: number; p99: number; max: number };
  non2xx: number;
}

export interface LatencyResult {
  setup: { fakeLatencyMs: number; groups: number; runConcurrency: string };
  light: LatencyPass;
  /** The middle rate (50/s): below saturation, where latency should stay flat. */
  mid: LatencyPass | null;
  target: LatencyPass;
}

export async function measureLatency(): Promise<LatencyResult> {
  const rate = env.int('BENCH_LAT_RATE', 200);
  const seconds = env.int('BENCH_LAT_SECONDS', 20);
  const lightRate = env.int('BENCH_LAT_LIGHT_RATE', 20);
  const lightSeconds = env.int('BENCH_LAT_LIGHT_SECONDS', 10);
  const midRate = env.int('BENCH_LAT_MID_RATE', 50);
  const midSeconds = env.int('BENCH_LAT_MID_SECONDS', 20);
  const fakeLatencyMs = env.int('BENCH_LAT_FAKE_LATENCY_MS', 20);
  const drainSeconds = env.int('BENCH_LAT_DRAIN_SECONDS', 15);
  const groups = env.int('BENCH_LAT_GROUPS', 100);
  const runConcurrency = process.env.BENCH_RUN_CONCURRENCY ?? '';
  const bench = await startEnvironment({
    name: 'latency',
    latencyMs: fakeLatencyMs,
    playbooks: { 'bench-response': RESPONSE_PLAYBOOK(TITLE) },
    env: runConcurrency ? { RIPOSTE_RUN_CONCURRENCY: runConcurrency } : {},
  });
  try {
    const lightCount = Math.ceil(lightRate * lightSeconds * 1.2) + 50;
    const midCount = midRate > 0 ? Math.ceil(midRate * midSeconds * 1.2) + 50 : 0;
    const count = lightCount + midCount + Math.ceil(rate * seconds * 1.2) + 50;
    addBenchUsers(bench.fake, count);
    const ids = Array.from({ length: count }, (_, i) => `bench-lat-${String(i).padStart(6, '0')}`);
    addFakeAlerts(bench.fake, ids);
    const ingestKey = await bench.createKey('ingest');
    const sentAt = new Float64Array(count);
    const firstCallAt = new Float64Array(count);
    onFakeArrival(bench.fake, (path, at) => {
      const match = BENCH_UPN_PATTERN.exec(path);
      if (!match) return;
      const i = Number(match[1]);
      if (i < count && firstCallAt[i] === 0) firstCallAt[i] = at;
    });
    // The fallback arrival hook fires after the fake's latency: subtract it then.
    const arrivalOffset = (bench.fake as unknown as { server?: unknown }).server ? 0 : fakeLatencyMs;

    const pass = async (
      offset: number,
      passRate: number,
      passSeconds: number,
      skipMs: number,
    ): Promise<LatencyPass> => {
      const limit = offset + Math.ceil(passRate * passSeconds * 1.2) + 50;
      let next = offset;
      const progress = new RunProgress(bench, 500);
      await progress.start();
      const started = performance.now();
      const load = await steadyRate({
        url: bench.url,
        path: '/api/v1/alerts',
        key: ingestKey,
        rate: passRate,
        seconds: passSeconds,
        groups,
        body: () => {
          const i = Math.min(next++, limit - 1);
          sentAt[i] = performance.now();
          return JSON.stringify(benchAlert(ids[i] as string, benchUpn(i), TITLE));
        },
      });
      const end = Math.min(next, limit);
      const waitStarted = performance.now();
      const pending = () => {
        let n = 0;
        for (let i = offset; i < end; i++) if (sentAt[i]! > 0 && firstCallAt[i] === 0) n++;
        return n;
      };
      while (pending() > 0 && performance.now() - waitStarted < drainSeconds * 1000) await sleep(100);
      await progress.stop();
      const latencies: number[] = [];
      let censored = 0;
      for (let i = offset; i < end; i++) {
        if (!(sentAt[i]! > 0) || sentAt[i]! < started + skipMs) continue;
        if (firstCallAt[i] === 0) censored++;
        else latencies.push(firstCallAt[i]! - arrivalOffset - sentAt[i]!);
      }
      const all = [...latencies.sort((a, b) => a - b), ...Array<number>(censored).fill(Number.POSITIVE_INFINITY)];
      return {
        targetRate: passRate,
        seconds: passSeconds,
        sent: load.sent,
        achievedRate: round(load.sent / (load.durationMs / 1000)),
        measured: latencies.length,
        censored,
        waitedSeconds: round((performance.now() - waitStarted) / 1000, 1),
        p50: round(percentile(all, 50), 1),
        p95: round(percentile(all, 95), 1),
        p99: round(percentile(all, 99), 1),
        max: round(all.at(-1) ?? Number.NaN, 1),
        postLatencyMs: load.latency,
        non2xx: load.non2xx,
      };
    };

    const light = await pass(0, lightRate, lightSeconds, 1000);
    await drainAll(bench);
    let mid: LatencyPass | null = null;
    if (midRate > 0) {
      mid = await pass(lightCount, midRate, midSeconds, 1000);
      await drainAll(bench);
    }
    const target = await pass(lightCount + midCount, rate, seconds, 1000);
    return {
      setup: { fakeLatencyMs, groups, runConcurrency: runConcurrency || '64 (default)' },
      light,
      mid,
      target,
    };
  } finally {
    await bench.close();
  }
}

/** Lets the runs of the light pass finish (bounded) so they do not load the measured pass. */
async function drainAll(bench: BenchEnvironment): Promise<void> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const running = await bench.api<{ items: unknown[] }>('GET', '/api/v1/runs?status=running&limit=1');
    const queued = await bench.api<{ items: unknown[] }>('GET', '/api/v1/runs?status=queued&limit=1');
    if (running.body.items.length === 0 && queued.body.items.length === 0) return;
    await sleep(200);
  }
}
