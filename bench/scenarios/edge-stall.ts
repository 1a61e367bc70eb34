import { percentile, round, startEnvironment } from '../harness.js';

/*
 * Does one large request tie up the event loop? /health is asked every 5 ms (each answer timed)
 * while the service is sent, one after the other: a 1 MB playbook (refused by its size), the
 * largest playbook it accepts (500 steps, padded with comments to just under 256 KB, validated:
 * parsed and compiled), a 1 MB JSON body nested far too deep, and a 5 MB batch of alerts. Target: no /health
 * answer slower than 100 ms.
 */

export interface EdgeStallResult {
  probes: number;
  /** The slowest /health answer in the second before, with nothing else sent. */
  baselineWorstMs: number;
  worstMs: number;
  p99Ms: number;
  /** The status each request got, in the order sent. */
  statuses: Record<string, number>;
  /** Each request's slowest answer, ms. */
  slowest: Record<string, number>;
}

const stepYaml = (i: number, pad: string) =>
  `  # ${pad}\n  - id: s${i}\n    action: azure_ad.get_user\n    with: { user: "\${{ inputs.user }}" }\n`;
const playbook = (steps: number, pad: string) =>
  `id: big\nname: Big\ninputs:\n  user: { type: string }\nsteps:\n${Array.from({ length: steps }, (_, i) => stepYaml(i, pad)).join('')}`;

export async function measureEdgeStall(): Promise<EdgeStallResult> {
  const bench = await startEnvironment({ name: 'edge-stall', latencyMs: 0 });
  try {
    // Bodies are made before the probe starts: making them would stall this process's own timer.
    const bare = Buffer.byteLength(playbook(500, ''));
    const alerts = Array.from({ length: 5_000 }, (_, i) => ({ id: `a${i}`, title: 'x'.repeat(900) }));
    const requests: [name: string, method: string, path: string, type: string, body: string][] = [
      ['PUT 1 MB playbook', 'PUT', '/api/v1/playbooks/huge', 'application/yaml', playbook(8_000, 'x')],
      [
        'POST validate, 500 steps, 255 KB',
        'POST',
        '/api/v1/playbooks/validate',
        'application/yaml',
        playbook(500, 'x'.repeat(Math.floor((255 * 1024 - bare) / 500))),
      ],
      [
        'POST 1 MB JSON nested 100,000 deep',
        'POST',
        '/api/v1/responses',
        'application/json',
        '['.repeat(100_000) + ']'.repeat(100_000),
      ],
      ['POST 5 MB of alerts', 'POST', '/api/v1/alerts', 'application/json', JSON.stringify({ value: alerts })],
    ];
    const probe = async (until: () => boolean) => {
      const times: number[] = [];
      while (!until()) {
        const started = performance.now();
        await fetch(`${bench.url}/health`);
        times.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 5));
      }
      return times.sort((a, b) => a - b);
    };
    const quietUntil = performance.now() + 1_000;
    const baseline = await probe(() => performance.now() > quietUntil);
    let stop = false;
    const probing = probe(() => stop);
    const statuses: Record<string, number> = {};
    const slowest: Record<string, number> = {};
    for (let pass = 0; pass < 5; pass++)
      for (const [name, method, path, type, body] of requests) {
        const headers = { Authorization: `Bearer ${bench.key}`, 'Content-Type': type };
        const started = performance.now();
        statuses[name] = (await fetch(`${bench.url}${path}`, { method, headers, body })).status;
        const took = performance.now() - started;
        slowest[name] = round(Math.max(slowest[name] ?? 0, took));
      }
    stop = true;
    const times = await probing;
    return {
      probes: times.length,
      baselineWorstMs: round(baseline.at(-1) ?? Number.NaN),
      worstMs: round(times.at(-1) ?? Number.NaN),
      p99Ms: round(percentile(times, 99)),
      statuses,
      slowest,
    };
  } finally {
    await bench.close();
  }
}
