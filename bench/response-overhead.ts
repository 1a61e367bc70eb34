import { writeFileSync, mkdirSync } from 'node:fs';
import { DEMO } from '../apps/fake-cloud/src/index.js';
import { percentile, round, startEnvironment } from './harness.js';

/*
 * How much time does a simple response add on top of Azure's own latency?
 * The fake cloud answers every call after LATENCY_MS; we fire disable/enable responses one at a
 * time with ?wait= and subtract, for each, the fake's latency times the Azure calls it made.
 */
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);

export async function measureResponseOverhead(): Promise<{ samples: number; fakeLatencyMs: number; overheadMs: { p50: number; p95: number; p99: number; mean: number } }> {
  const env = await startEnvironment({ latencyMs: LATENCY_MS });
  try {
    const user = DEMO.users.alex.upn;
    const fire = async (action: string) => {
      const before = env.fake.lastRequestSeq;
      const started = performance.now();
      const response = await fetch(`${env.url}/api/v1/responses?wait=30`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${env.key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ action, connectionTarget: 'bench', input: { user } }),
      });
      const run = (await response.json()) as { status: string };
      const elapsed = performance.now() - started;
      if (run.status !== 'succeeded') throw new Error(`run ${run.status}`);
      const azureCalls = env.fake.requests({ afterSeq: before }).length;
      return elapsed - azureCalls * LATENCY_MS;
    };
    for (let i = 0; i < 20; i++) await fire(i % 2 ? 'azure_ad.enable_user' : 'azure_ad.disable_user'); // warm up (token, JIT)
    const overheads: number[] = [];
    for (let i = 0; i < SAMPLES; i++) overheads.push(await fire(i % 2 ? 'azure_ad.enable_user' : 'azure_ad.disable_user'));
    overheads.sort((a, b) => a - b);
    const mean = overheads.reduce((a, b) => a + b, 0) / overheads.length;
    return { samples: SAMPLES, fakeLatencyMs: LATENCY_MS, overheadMs: { p50: round(percentile(overheads, 50)), p95: round(percentile(overheads, 95)), p99: round(percentile(overheads, 99)), mean: round(mean) } };
  } finally {
    await env.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureResponseOverhead();
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/response-overhead.json', `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`Simple response overhead over the fake cloud's ${result.fakeLatencyMs} ms per call (${result.samples} sequential responses):\n`);
  process.stdout.write(`  p50 ${result.overheadMs.p50} ms   p95 ${result.overheadMs.p95} ms   p99 ${result.overheadMs.p99} ms   mean ${result.overheadMs.mean} ms\n`);
}
