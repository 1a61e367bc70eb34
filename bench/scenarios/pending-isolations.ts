import { DEMO } from '@riposte/fake-cloud';
import { env, percentile, round, startEnvironment } from '../harness.js';

/*
 * Do Defender machine actions that stay Pending (machines offline) hold up other responses?
 * The fake keeps every isolation Pending; we start N isolations with the product's defaults
 * (RIPOSTE_RUN_CONCURRENCY, the 10 s follow interval), wait until Defender has all of them, then
 * time simple disable/enable responses (POST ?wait=30) and compare with the same responses
 * timed before the isolations were started.
 */

export interface PendingIsolationsResult {
  isolations: number;
  samples: number;
  baselineMs: { p50: number; max: number };
  withPendingMs: { p50: number; max: number };
  /** p50 with the isolations pending minus p50 without. */
  delayMs: number;
  /** Isolations still Pending at Defender when the last response ended (all of them, or the figure means nothing). */
  pendingAtEnd: number;
  isolatePosts: number;
}

export async function measurePendingIsolations(): Promise<PendingIsolationsResult> {
  const count = env.int('BENCH_PENDING_ISOLATIONS', 100);
  const samples = env.int('BENCH_PENDING_SAMPLES', 20);
  // Only Defender's own call limits are lifted (100 a minute would spread the isolations out); nothing of the engine's.
  const bench = await startEnvironment({
    name: 'pending',
    latencyMs: 20,
    env: { RIPOSTE_DEFENDER_CALLS_PER_MINUTE: '100000', RIPOSTE_DEFENDER_CALLS_PER_HOUR: '1000000' },
  });
  try {
    const machines = Array.from({ length: count }, (_, i) =>
      bench.fake.addMachine({ computerDnsName: `offline-${i}.bench.local`, healthStatus: 'Active' }),
    );
    bench.fake.scriptMachineActions({ outcome: 'StayPending', count: Infinity, type: 'Isolate' });
    const respond = async (i: number): Promise<number> => {
      const started = performance.now();
      const { body } = await bench.api<{ status: string }>('POST', '/api/v1/responses?wait=30', {
        action: i % 2 ? 'azure_ad.enable_user' : 'azure_ad.disable_user',
        connectionTarget: 'bench',
        input: { user: DEMO.users.alex.upn },
      });
      if (body.status !== 'succeeded') throw new Error(`a simple response ended ${body.status} (or took over 30 s)`);
      return performance.now() - started;
    };
    const time = async () => {
      const times: number[] = [];
      for (let i = 0; i < samples; i++) times.push(await respond(i));
      times.sort((a, b) => a - b);
      return { p50: round(percentile(times, 50)), max: round(times.at(-1) ?? Number.NaN) };
    };
    for (let i = 0; i < 10; i++) await respond(i); // warm up (token, JIT)
    const baselineMs = await time();

    for (let i = 0; i < machines.length; i += 20) {
      await Promise.all(
        machines.slice(i, i + 20).map((machine) =>
          bench.api('POST', '/api/v1/responses', {
            action: 'defender.isolate_machine',
            connectionTarget: 'bench',
            input: { machine: machine.id },
          }),
        ),
      );
    }
    const pending = () => bench.fake.listMachineActions({ type: 'Isolate', status: 'Pending' }).length;
    for (const deadline = Date.now() + 120_000; pending() < count;) {
      if (Date.now() > deadline) throw new Error(`only ${pending()} of ${count} isolations reached Defender in 120 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const withPendingMs = await time();
    return {
      isolations: count,
      samples,
      baselineMs,
      withPendingMs,
      delayMs: round(withPendingMs.p50 - baselineMs.p50),
      pendingAtEnd: pending(),
      isolatePosts: bench.fake.count({ service: 'defender', method: 'POST', path: '/isolate' }),
    };
  } finally {
    await bench.close();
  }
}
