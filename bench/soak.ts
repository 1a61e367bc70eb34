/*
 * Soak test (not part of npm test): alerts posted at a steady rate for a set time against the
 * fake cloud, each about a different user, firing the four-step response playbook. Reports the
 * service's memory over time (and at rest once the last run ended), and checks by count that every accepted alert reached a final run
 * state and that no destructive call reached Azure twice.
 *
 *   npm run soak                                   # 20 alerts/s for 5 min
 *   SOAK_RATE=50 SOAK_SECONDS=1800 npm run soak    # 30 min at 50/s
 *
 * Exit code 0 when every check holds, 1 otherwise.
 */
import { RESPONSE_PLAYBOOK, addBenchUsers, addFakeAlerts, benchAlert, benchUpn } from './fixtures.js';
import { type BenchEnvironment, env, round, sleep, startEnvironment } from './harness.js';
import { countRuns } from './progress.js';

const RATE = env.int('SOAK_RATE', 20);
const SECONDS = env.int('SOAK_SECONDS', 300);
const SAMPLE_SECONDS = env.int('SOAK_SAMPLE_SECONDS', 10);
const LATENCY_MS = env.int('SOAK_LATENCY_MS', 20);
const DRAIN_SECONDS = env.int('SOAK_DRAIN_SECONDS', 180);
/** Samples taken at rest once every run has ended (a sample right at the end may catch work still in hand). */
const REST_SAMPLES = env.int('SOAK_REST_SAMPLES', 3);
const TITLE = 'Soak: suspicious sign-in';
const FINAL = ['succeeded', 'failed', 'cancelled'];
const MB = 1024 * 1024;

interface Sample {
  at: number;
  posted: number;
  finished: number;
  rssMb: number;
  heapMb: number;
}

async function main(): Promise<void> {
  const total = RATE * SECONDS;
  process.stdout.write(
    `Soak: ${RATE} alerts/s for ${SECONDS} s (${total} alerts), fake latency ${LATENCY_MS} ms, a memory sample every ${SAMPLE_SECONDS} s.\n`,
  );
  const bench = await startEnvironment({
    name: 'soak',
    latencyMs: LATENCY_MS,
    playbooks: { 'bench-response': RESPONSE_PLAYBOOK(TITLE) },
  });
  try {
    const ids = Array.from({ length: total }, (_, i) => `soak-${String(i).padStart(7, '0')}`);
    addBenchUsers(bench.fake, total);
    addFakeAlerts(bench.fake, ids);
    // Every call that changes something in Azure, by method and path: each must arrive once.
    const destructive = new Map<string, number>();
    bench.fake.on('request', (record) => {
      if (record.method === 'GET' || record.service === 'identity' || record.path.endsWith('/$batch')) return;
      const key = `${record.method} ${record.path}`;
      destructive.set(key, (destructive.get(key) ?? 0) + 1);
    });

    const start = Date.now();
    const samples: Sample[] = [];
    const outcome = { accepted: 0, refused: 0, errors: 0 };
    const sampler = sampleEvery(bench, samples, () => outcome.accepted + outcome.refused + outcome.errors);
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      const post = bench.api('POST', '/api/v1/alerts', benchAlert(ids[i] as string, benchUpn(i), TITLE)).then(
        (reply) => void (reply.status === 202 ? outcome.accepted++ : outcome.refused++),
        () => void outcome.errors++,
      );
      inFlight.push(post);
    }
    await Promise.all(inFlight);
    const postedIn = (Date.now() - start) / 1000;

    let finished = 0;
    for (const deadline = Date.now() + DRAIN_SECONDS * 1000; Date.now() < deadline; await sleep(1000)) {
      finished = await finalRuns(bench);
      if (finished >= outcome.accepted) break;
    }
    sampler.stop();
    samples.push(await sample(bench, start, total, finished));
    const drainedAt = (samples.at(-1) as Sample).at;
    for (let i = 0; i < REST_SAMPLES; i++) {
      await sleep(SAMPLE_SECONDS * 1000);
      samples.push(await sample(bench, start, total, finished));
    }

    const succeeded = await countRuns(bench, 'status=succeeded');
    const repeated = [...destructive].filter(([, n]) => n > 1);
    // Three per run: disable, revoke, resolve the alert.
    const expectedCalls = 3 * succeeded;

    printSamples(samples);
    const first = samples[0] as Sample;
    const last = samples.at(-1) as Sample;
    const drained = samples.find((x) => x.at >= drainedAt) as Sample;
    const secondHalf = samples.filter((s) => s.at >= SECONDS / 2 && s.at <= SECONDS);
    const slope =
      secondHalf.length > 1
        ? ((secondHalf.at(-1) as Sample).heapMb - (secondHalf[0] as Sample).heapMb) /
          (((secondHalf.at(-1) as Sample).at - (secondHalf[0] as Sample).at) / 60)
        : Number.NaN;
    process.stdout.write(
      `\nPosted ${total} alerts in ${round(postedIn)} s: ${outcome.accepted} accepted, ${outcome.refused} refused, ${outcome.errors} transport errors.\n`,
    );
    process.stdout.write(`Runs in a final state: ${finished} (${succeeded} succeeded).\n`);
    process.stdout.write(
      `Memory: RSS ${first.rssMb} MB at the start, ${drained.rssMb} MB when the last run ended, ${last.rssMb} MB ${round(last.at - drainedAt)} s later at rest; heap after GC ${first.heapMb} → ${drained.heapMb} → ${last.heapMb} MB, ${round(slope, 2)} MB/min over the second half of the posting.\n`,
    );
    process.stdout.write(
      `Changing calls that reached the fake: ${[...destructive.values()].reduce((a, b) => a + b, 0)} (expected ${expectedCalls} for ${succeeded} succeeded runs); repeated: ${repeated.length}.\n`,
    );
    for (const [call, n] of repeated.slice(0, 20)) process.stdout.write(`  ${n}× ${call}\n`);

    const checks = [
      { name: 'every alert was accepted', ok: outcome.accepted === total },
      { name: 'every accepted alert reached a final run state', ok: finished === outcome.accepted },
      { name: 'no destructive call reached Azure twice', ok: repeated.length === 0 },
      { name: 'each succeeded run made exactly its three changes', ok: destructive.size === expectedCalls },
    ];
    process.stdout.write('\n');
    for (const check of checks) process.stdout.write(`${check.ok ? 'PASS' : 'FAIL'}  ${check.name}\n`);
    process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
  } finally {
    await bench.close();
  }
}

async function finalRuns(bench: BenchEnvironment): Promise<number> {
  let n = 0;
  for (const status of FINAL) n += await countRuns(bench, `status=${status}`);
  return n;
}

async function sample(bench: BenchEnvironment, start: number, posted: number, finished: number): Promise<Sample> {
  // The heap after a full GC: what is still referenced, the figure a leak makes grow.
  const probe = await bench.service.probe({ gc: true });
  return {
    at: Math.round((Date.now() - start) / 1000),
    posted,
    finished,
    rssMb: round(bench.service.memory().rss / MB),
    heapMb: round((probe.memoryAfterGc ?? probe.memory).heapUsed / MB),
  };
}

function sampleEvery(bench: BenchEnvironment, samples: Sample[], posted: () => number): { stop(): void } {
  const start = Date.now();
  let stopped = false;
  void (async () => {
    while (!stopped) {
      const metrics = await bench.metrics();
      let finished = 0;
      for (const [series, value] of metrics)
        if (series.startsWith('riposte_runs_total{') && series.includes('kind="playbook"')) finished += value;
      samples.push(await sample(bench, start, posted(), finished));
      for (let waited = 0; waited < SAMPLE_SECONDS * 1000 && !stopped; waited += 250) await sleep(250);
    }
  })();
  return {
    stop: () => {
      stopped = true;
    },
  };
}

function printSamples(samples: Sample[]): void {
  process.stdout.write('\n   t (s)   posted  finished   RSS (MB)  heap after GC (MB)\n');
  for (const s of samples)
    process.stdout.write(
      `${String(s.at).padStart(8)} ${String(s.posted).padStart(8)} ${String(s.finished).padStart(9)} ${String(s.rssMb).padStart(10)} ${String(s.heapMb).padStart(10)}\n`,
    );
}

await main();
