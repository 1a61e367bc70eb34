import { AzureCallMix } from '../azure-calls.js';
import { FANOUT_PLAYBOOK, addBenchUsers, benchUpn } from '../fixtures.js';
import { env, startEnvironment } from '../harness.js';
import { RunProgress } from '../progress.js';
import { tokenFigures, type TokenFigures } from './throughput.js';

/*
 * Fan-out: one run of a forEach playbook that disables N users, against a fake cloud answering
 * every call (inner $batch requests included) after `fakeLatencyMs`. Wall time from the POST that
 * starts the run to the run's end (seen through the service's metrics, polled every 20 ms), and
 * the Graph requests the fake saw: HTTP requests on the wire, and the requests inside $batch ones.
 */

export interface FanoutResult {
  setup: { users: number; concurrency: number; fakeLatencyMs: number };
  status: string;
  wallMs: number;
  graphRequests: number;
  graphRequestsInBatches: number;
  disabledInFake: number;
  calls: { call: string; total: number }[];
  tokens: TokenFigures;
}

export async function measureFanout(): Promise<FanoutResult> {
  const users = env.int('BENCH_FANOUT_USERS', 1000);
  const concurrency = env.int('BENCH_FANOUT_CONCURRENCY', 100);
  const fakeLatencyMs = env.int('BENCH_FANOUT_LATENCY_MS', 20);
  const bench = await startEnvironment({
    name: 'fanout',
    latencyMs: fakeLatencyMs,
    playbooks: { 'bench-fanout': FANOUT_PLAYBOOK(concurrency) },
  });
  try {
    addBenchUsers(bench.fake, users + 10);
    // Warm-up on other users: the token, the connection pool, the JIT.
    const warm = new RunProgress(bench, 20);
    await warm.start();
    const warmUp = await bench.api<{ runId: string }>('POST', '/api/v1/playbooks/bench-fanout/runs', {
      inputs: { users: Array.from({ length: 10 }, (_, i) => benchUpn(users + i)) },
      connectionTarget: 'bench',
    });
    if (warmUp.status !== 202)
      throw new Error(`Starting the warm-up run: ${warmUp.status} ${JSON.stringify(warmUp.body)}`);
    await warm.waitFor(1, 60_000);
    await warm.stop();

    const upns = Array.from({ length: users }, (_, i) => benchUpn(i));
    const graphBefore = bench.fake.count({ service: 'graph', batched: false });
    const batchedBefore = bench.fake.count({ service: 'graph', batched: true });
    const mix = new AzureCallMix(bench.fake);
    const progress = new RunProgress(bench, 20);
    await progress.start();
    const started = performance.now();
    const reply = await bench.api<{ runId: string }>('POST', '/api/v1/playbooks/bench-fanout/runs', {
      inputs: { users: upns },
      connectionTarget: 'bench',
    });
    if (reply.status !== 202)
      throw new Error(`Starting the fan-out run: ${reply.status} ${JSON.stringify(reply.body)}`);
    const ended = await progress.waitFor(1, 300_000);
    const wallMs = (progress.reached(1) ?? performance.now()) - started;
    await progress.stop();
    mix.stop();
    const run = await bench.api<{ status: string }>('GET', `/api/v1/runs/${reply.body.runId}`);
    return {
      setup: { users, concurrency, fakeLatencyMs },
      status: ended ? run.body.status : `${run.body.status} (still running after 300 s)`,
      wallMs: Math.round(wallMs),
      graphRequests: bench.fake.count({ service: 'graph', batched: false }) - graphBefore,
      graphRequestsInBatches: bench.fake.count({ service: 'graph', batched: true }) - batchedBefore,
      disabledInFake: upns.filter((u) => bench.fake.getUser(u)?.accountEnabled === false).length,
      calls: mix.perUnit(1).map(({ call, total }) => ({ call, total })),
      tokens: await tokenFigures(bench),
    };
  } finally {
    await bench.close();
  }
}
