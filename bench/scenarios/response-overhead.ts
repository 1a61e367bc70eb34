import { DEMO } from '@riposte/fake-cloud';
import { env, percentile, round, startEnvironment } from '../harness.js';

/*
 * How much time does a simple response add on top of Azure's own latency?
 * The fake cloud answers every call after LATENCY_MS; we fire disable/enable responses one at a
 * time with ?wait= and subtract, for each, the fake's latency times the Azure calls it made.
 */

export interface ResponseOverheadResult {
  samples: number;
  fakeLatencyMs: number;
  azureCallsPerResponse: number;
  overheadMs: { p50: number; p95: number; p99: number; mean: number };
}

export async function measureResponseOverhead(): Promise<ResponseOverheadResult> {
  const latencyMs = env.int('BENCH_LATENCY_MS', 20);
  const samples = env.int('BENCH_SAMPLES', 300);
  const bench = await startEnvironment({ name: 'response-overhead', latencyMs });
  try {
    const user = DEMO.users.alex.upn;
    let calls = 0;
    const fire = async (action: string) => {
      const before = bench.fake.lastRequestSeq;
      const started = performance.now();
      const response = await fetch(`${bench.url}/api/v1/responses?wait=30`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${bench.key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ action, connectionTarget: 'bench', input: { user } }),
      });
      const run = (await response.json()) as { status: string };
      const elapsed = performance.now() - started;
      if (run.status !== 'succeeded') throw new Error(`run ${run.status}`);
      const azureCalls = bench.fake.requests({ afterSeq: before }).length;
      calls += azureCalls;
      return elapsed - azureCalls * latencyMs;
    };
    for (let i = 0; i < 20; i++) await fire(i % 2 ? 'azure_ad.enable_user' : 'azure_ad.disable_user'); // warm up (token, JIT)
    calls = 0;
    const overheads: number[] = [];
    for (let i = 0; i < samples; i++)
      overheads.push(await fire(i % 2 ? 'azure_ad.enable_user' : 'azure_ad.disable_user'));
    overheads.sort((a, b) => a - b);
    const mean = overheads.reduce((a, b) => a + b, 0) / overheads.length;
    return {
      samples,
      fakeLatencyMs: latencyMs,
      azureCallsPerResponse: round(calls / samples, 2),
      overheadMs: {
        p50: round(percentile(overheads, 50)),
        p95: round(percentile(overheads, 95)),
        p99: round(percentile(overheads, 99)),
        mean: round(mean),
      },
    };
  } finally {
    await bench.close();
  }
}
