import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { DEMO } from '@riposte/fake-cloud';
import { type BenchEnvironment, env, percentile, round, startEnvironment } from '../harness.js';

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
  /**
   * The measurement's own floor: a bare HTTPS call from this process to the fake cloud, one at a
   * time on a kept-alive connection, minus the fake's latency. The fake's timer overshoot, its
   * routing and both ends' TLS are in every Azure call a response makes, whatever the service does.
   */
  floorMs: { p50: number; p99: number };
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
    const floor = await bareCalls(bench, latencyMs, Math.min(samples, 200));
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
      floorMs: { p50: round(percentile(floor, 50)), p99: round(percentile(floor, 99)) },
    };
  } finally {
    await bench.close();
  }
}

/** Sequential HTTPS GETs of the fake's OpenID discovery document (no state, no token), each minus the fake's latency; sorted. */
async function bareCalls(bench: BenchEnvironment, latencyMs: number, count: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, ca: readFileSync(bench.serviceEnv.NODE_EXTRA_CA_CERTS as string) });
  const url = new URL(`${bench.fake.url}/${DEMO.tenantId}/v2.0/.well-known/openid-configuration`);
  const call = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      request(url, { agent }, (response) => {
        response.on('data', () => undefined);
        response.on('end', () => resolve(performance.now() - started - latencyMs));
      })
        .on('error', reject)
        .end();
    });
  try {
    for (let i = 0; i < 20; i++) await call(); // warm up (connection, JIT)
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(await call());
    return out.sort((a, b) => a - b);
  } finally {
    agent.destroy();
  }
}
