import { Worker } from 'node:worker_threads';
import { percentile, round, startEnvironment } from '../harness.js';

/*
 * Does one large request tie up the event loop? /health is asked every 5 ms (each answer timed)
 * while requests are sent one after the other, and each request gets the slowest /health answer
 * that overlapped it. Cold: the first upload after the service started (modules not yet warm, the
 * playbook worker not yet started), once through `POST /playbooks/validate` and once through
 * `PUT /playbooks/{id}`, each on a service of its own; then, on the second, the first read of the
 * stored playbook, of its graph, and its first dry run (which builds its machine on the event
 * loop, once per version); then, on a third, the same version's first read and dry run after a
 * restart (read back from the definition kept with it). Warm: 5 rounds of a
 * 1 MB playbook (refused by its size), the largest accepted playbook (500 steps, padded with
 * comments to just under 256 KB) validated and uploaded, a 1 MB JSON body nested far too deep and
 * a 5 MB batch of alerts. Target: no /health answer slower than 100 ms.
 */

export interface EdgeStallResult {
  probes: number;
  /** The slowest /health answer in the second before, with nothing else sent. */
  baselineWorstMs: number;
  worstMs: number;
  p99Ms: number;
  /** The status each request got (the last of its rounds). */
  statuses: Record<string, number>;
  /** Each request's slowest /health answer while it was in flight, ms. */
  healthWorst: Record<string, number>;
  /** Each request's slowest answer, ms. */
  slowest: Record<string, number>;
}

const stepYaml = (i: number, pad: string) =>
  `  # ${pad}\n  - id: s${i}\n    action: azure_ad.get_user\n    with: { user: "\${{ inputs.user }}" }\n`;
const playbook = (id: string, steps: number, pad: string) =>
  `id: ${id}\nname: Big\ninputs:\n  user: { type: string }\nsteps:\n${Array.from({ length: steps }, (_, i) => stepYaml(i, pad)).join('')}`;
/** The largest accepted playbook: 500 steps, padded to 255 KB; `n` makes each upload a new version. */
const largest = (id: string, n: number) => {
  const bare = Buffer.byteLength(playbook(id, 500, ''));
  const pad = 'x'.repeat(Math.floor((255 * 1024 - bare) / 500) - 4);
  return playbook(id, 500, `${String(n).padStart(3, '0')} ${pad}`);
};

type Request =
  | [name: string, method: string, path: string, type: string, body: string | undefined]
  /** Something longer than one request: the status it ends with. */
  | [name: string, act: (bench: Bench) => Promise<number>];
type Bench = Awaited<ReturnType<typeof startEnvironment>>;
interface Probe {
  start: number;
  end: number;
}

export async function measureEdgeStall(): Promise<EdgeStallResult> {
  const statuses: Record<string, number> = {};
  const healthWorst: Record<string, number> = {};
  const slowest: Record<string, number> = {};
  const all: number[] = [];
  let baselineWorst = 0;

  const session = async (
    requests: (round: number) => Request[],
    rounds: number,
    baseline: boolean,
    prepare?: (bench: Bench) => Promise<void>,
  ) => {
    const bench = await startEnvironment({ name: 'edge-stall', latencyMs: 0 });
    try {
      await prepare?.(bench);
      // Bodies are made before the probe starts: making them would stall this process's own timer.
      const planned = Array.from({ length: rounds }, (_, r) => requests(r));
      if (baseline) {
        const quiet = await probeHealth(bench.url, () => new Promise((r) => setTimeout(r, 1_000)));
        baselineWorst = Math.max(baselineWorst, ...quiet.map((p) => p.end - p.start));
      }
      const sent: { name: string; start: number; end: number }[] = [];
      const probes = await probeHealth(bench.url, async () => {
        for (const batch of planned)
          for (const request of batch) {
            const [name] = request;
            const start = now();
            statuses[name] = request.length === 2 ? await request[1](bench) : await send(bench, ...request);
            const end = now();
            slowest[name] = round(Math.max(slowest[name] ?? 0, end - start));
            sent.push({ name, start, end });
          }
      });
      for (const { name, start, end } of sent) {
        const overlapping = probes.filter((p) => p.end >= start && p.start <= end).map((p) => p.end - p.start);
        healthWorst[name] = round(Math.max(healthWorst[name] ?? 0, ...overlapping));
      }
      all.push(...probes.map((p) => p.end - p.start));
    } finally {
      await bench.close();
    }
  };

  const validate = (name: string, body: string): Request => [
    name,
    'POST',
    '/api/v1/playbooks/validate',
    'application/yaml',
    body,
  ];
  const put = (name: string, id: string, body: string): Request => [
    name,
    'PUT',
    `/api/v1/playbooks/${id}`,
    'application/yaml',
    body,
  ];
  // Cold, each on a fresh service: the first upload after start.
  await session(() => [validate('cold: POST validate, 500 steps, 255 KB', largest('big', 0))], 1, true);
  await session(
    () => [
      put('cold: PUT, 500 steps, 255 KB', 'big', largest('big', 0)),
      ['first GET of it', 'GET', '/api/v1/playbooks/big', '', undefined],
      // A version's machine is compiled once, on this thread, by its first run, alert match or graph.
      ['first GET of its graph', 'GET', '/api/v1/playbooks/big/graph', '', undefined],
      ['first dry run of it, 500 steps (builds its machine)', firstRun],
    ],
    1,
    false,
  );
  // After a restart: the stored version is read back (from its kept definition) by its first use.
  await session(
    () => [
      ['after a restart: first GET of it', 'GET', '/api/v1/playbooks/big', '', undefined],
      ['after a restart: first dry run of it', firstRun],
    ],
    1,
    false,
    async (bench) => {
      const put = await send(
        bench,
        'PUT 500 steps',
        'PUT',
        '/api/v1/playbooks/big',
        'application/yaml',
        largest('big', 0),
      );
      if (put !== 201) throw new Error(`The playbook was not stored: ${put}`);
      await bench.restartService('edge-stall');
    },
  );
  // Warm: rounds on one service.
  const alerts = Array.from({ length: 5_000 }, (_, i) => ({ id: `a${i}`, title: 'x'.repeat(900) }));
  await session(
    (r) => [
      put('PUT 1 MB playbook', 'huge', playbook('huge', 8_000, 'x')),
      validate('warm: POST validate, 500 steps, 255 KB', largest('big', r + 1)),
      put('warm: PUT, 500 steps, 255 KB', 'big', largest('big', r + 1)),
      ['POST 1 MB JSON nested 100,000 deep', 'POST', '/api/v1/responses', 'application/json', deep()],
      ['POST 5 MB of alerts', 'POST', '/api/v1/alerts', 'application/json', JSON.stringify({ value: alerts })],
    ],
    5,
    false,
  );
  const sorted = all.sort((a, b) => a - b);
  return {
    probes: sorted.length,
    baselineWorstMs: round(baselineWorst),
    worstMs: round(sorted.at(-1) ?? Number.NaN),
    p99Ms: round(percentile(sorted, 99)),
    statuses,
    healthWorst,
    slowest,
  };
}

async function send(bench: Bench, ...[, method, path, type, body]: Extract<Request, { length: 5 }>) {
  const headers = { Authorization: `Bearer ${bench.key}`, ...(body ? { 'Content-Type': type } : {}) };
  const response = await fetch(`${bench.url}${path}`, { method, headers, body });
  await response.arrayBuffer();
  return response.status;
}

/** A dry run of the stored playbook, started and followed to its end (its machine compiled on the way). */
async function firstRun(bench: Bench): Promise<number> {
  const started = await bench.api<{ runId: string }>('POST', '/api/v1/playbooks/big/runs', {
    inputs: { user: 'someone@contoso.com' },
    connectionTarget: 'bench',
    dryRun: true,
  });
  if (started.status !== 202) return started.status;
  for (;;) {
    const run = await bench.api<{ status: string }>('GET', `/api/v1/runs/${started.body.runId}`);
    if (run.status !== 200 || !['queued', 'running'].includes(run.body.status)) return run.status;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const deep = () => '['.repeat(100_000) + ']'.repeat(100_000);

/** Milliseconds on a clock this thread and the probe's share. */
const now = () => performance.timeOrigin + performance.now();

/*
 * The probe runs on a thread of its own: this thread sends the large bodies and runs the fake
 * cloud, and its own pauses (encoding a 5 MB body, collecting it) must not count as the service's.
 */
const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
const now = () => performance.timeOrigin + performance.now();
let stop = false, stopAt = Infinity;
const probes = [];
parentPort.on('message', () => { stop = true; stopAt = probes.length + 2; });
(async () => {
  // The thread's first request loads its HTTP client: not a figure of the service.
  await fetch(workerData.url + '/health').then((r) => r.arrayBuffer());
  parentPort.postMessage('ready');
  // One more probe after the last request, so that a stall at its very end is seen.
  while (!stop || probes.length < stopAt) {
    const start = now();
    await fetch(workerData.url + '/health').then((r) => r.arrayBuffer());
    probes.push({ start, end: now() });
    await new Promise((r) => setTimeout(r, 5));
  }
  parentPort.postMessage(probes);
})();
`;

/** /health asked every 5 ms (each answer timed, on its own thread) while `work` runs. */
async function probeHealth(url: string, work: () => Promise<unknown>): Promise<Probe[]> {
  const worker = new Worker(PROBE, { eval: true, workerData: { url } });
  const ready = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await ready;
  const done = new Promise<Probe[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  try {
    await work();
  } finally {
    worker.postMessage('stop');
  }
  const probes = await done;
  await worker.terminate();
  return probes;
}
