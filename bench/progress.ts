import { type BenchEnvironment, metricSum, sleep } from './harness.js';

/**
 * Counts finished runs through the service's own API: `riposte_runs_total` on GET /metrics (runs
 * that ended, by kind and status), sampled every `everyMs`. Reading one counter is far cheaper for
 * the service than paging GET /api/v1/runs?status=… while it is under load; the final figures are
 * checked against the runs list.
 */
export class RunProgress {
  readonly samples: { at: number; finished: number }[] = [];
  private stopped = false;
  private loop: Promise<void> | undefined;
  private base: Map<string, number> = new Map();
  private error: unknown;

  constructor(
    private readonly env: BenchEnvironment,
    private readonly everyMs = 250,
  ) {}

  /** Takes the baseline; counts from zero afterwards. */
  async start(): Promise<void> {
    this.base = await this.env.metrics();
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          const finished = await this.finished();
          this.samples.push({ at: performance.now(), finished });
        } catch (error) {
          if (!this.stopped) this.error = error;
          return;
        }
        await sleep(this.everyMs);
      }
    })();
  }

  async finished(): Promise<number> {
    return metricSum(await this.env.metrics(), 'riposte_runs_total') - metricSum(this.base, 'riposte_runs_total');
  }

  /** Runs ended since start, by status. */
  async byStatus(): Promise<Record<string, number>> {
    const now = await this.env.metrics();
    const out: Record<string, number> = {};
    for (const status of ['succeeded', 'failed', 'cancelled']) {
      const n =
        metricSum(now, 'riposte_runs_total', { status }) - metricSum(this.base, 'riposte_runs_total', { status });
      if (n) out[status] = n;
    }
    return out;
  }

  /** Waits until `target` runs have finished; false on timeout. */
  async waitFor(target: number, timeoutMs: number): Promise<boolean> {
    for (const deadline = performance.now() + timeoutMs; performance.now() < deadline;) {
      if (this.error) throw this.error;
      const last = this.samples.at(-1);
      if (last && last.finished >= target) return true;
      await sleep(50);
    }
    return (this.samples.at(-1)?.finished ?? 0) >= target;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** First time the count reached `n` (ms, performance.now()). */
  reached(n: number): number | undefined {
    return this.samples.find((s) => s.finished >= n)?.at;
  }

  /** The best rate over any window of `windowMs` (runs/s). */
  peakRate(windowMs: number): number {
    let best = 0;
    let j = 0;
    for (let i = 0; i < this.samples.length; i++) {
      const s = this.samples[i] as { at: number; finished: number };
      while (j < i && s.at - (this.samples[j] as { at: number }).at > windowMs) j++;
      const first = this.samples[j] as { at: number; finished: number };
      if (s.at - first.at >= windowMs * 0.8)
        best = Math.max(best, ((s.finished - first.finished) * 1000) / (s.at - first.at));
    }
    return best;
  }
}

/** Counts runs with a status through GET /api/v1/runs (paged, 500 at a time). */
export async function countRuns(env: BenchEnvironment, query: string, max = 1_000_000): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { items: unknown[]; nextCursor: string | null } } = await env.api(
      'GET',
      `/api/v1/runs?${query}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (page.status !== 200) throw new Error(`GET /api/v1/runs?${query} answered ${page.status}`);
    count += page.body.items.length;
    cursor = page.body.nextCursor;
  } while (cursor && count < max);
  return count;
}
