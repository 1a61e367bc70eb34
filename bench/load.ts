import { createRequire } from 'node:module';
import { percentile } from './harness.js';

/*
 * Load generation with autocannon (https://github.com/mcollina/autocannon), typed here for the
 * few options the benchmark uses (the package ships no types).
 */

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
  onResponse?: (
    status: number,
    body: string,
    context: Record<string, unknown>,
    headers: Record<string, string>,
  ) => void;
}

interface AutocannonOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  amount?: number;
  duration?: number;
  connectionRate?: number;
  overallRate?: number;
  timeout?: number;
  requests?: AutocannonRequest[];
  excludeErrorStats?: boolean;
}

interface Histogram {
  average: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface AutocannonResult {
  requests: Histogram & { total: number; sent: number };
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  start: Date;
  finish: Date;
}

interface Instance extends PromiseLike<AutocannonResult> {
  stop(): void;
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void,
  ): void;
}

const autocannon = createRequire(import.meta.url)('autocannon') as (options: AutocannonOptions) => Instance;

export interface LoadSummary {
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  durationMs: number;
  /** Response latency of the posts, ms. */
  latency: { p50: number; p99: number; max: number };
}

/**
 * Closed loop: `connections` clients each send the next request as soon as the previous one is
 * answered, until `amount` requests were sent or `maxSeconds` passed.
 */
export async function closedLoop(options: {
  url: string;
  path: string;
  key: string;
  connections: number;
  amount: number;
  maxSeconds: number;
  body: (i: number) => string;
  onResponse?: (status: number, body: string) => void;
}): Promise<LoadSummary> {
  let next = 0;
  const instance = autocannon({
    url: `${options.url}${options.path}`,
    connections: options.connections,
    amount: options.amount,
    timeout: 60,
    requests: [
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${options.key}`, 'Content-Type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: options.body(next++) }),
        onResponse: options.onResponse ? (status, body) => options.onResponse?.(status, body) : undefined,
      },
    ],
  });
  const timer = setTimeout(() => instance.stop(), options.maxSeconds * 1000);
  const result = await instance;
  clearTimeout(timer);
  return summarize([result]);
}

/**
 * Open loop at a steady rate. autocannon's rate limit lets each connection send its quota for the
 * second back to back at the start of the second, so one instance at 200/s sends bursts of 200.
 * Here `groups` instances of `rate/groups` connections at one request a second each are started
 * evenly spaced over a second: at 200/s and 100 groups, two requests leave every 10 ms.
 */
export async function steadyRate(options: {
  url: string;
  path: string;
  key: string;
  rate: number;
  seconds: number;
  groups: number;
  body: (i: number) => string;
  onResponse?: (status: number, body: string) => void;
}): Promise<LoadSummary> {
  const groups = Math.max(1, Math.min(options.groups, options.rate));
  const perGroup = Math.max(1, Math.round(options.rate / groups));
  let next = 0;
  const instances: Instance[] = [];
  const results: Promise<AutocannonResult>[] = [];
  for (let g = 0; g < groups; g++) {
    const instance = autocannon({
      url: `${options.url}${options.path}`,
      connections: perGroup,
      connectionRate: 1,
      duration: options.seconds,
      timeout: 60,
      requests: [
        {
          method: 'POST',
          headers: { Authorization: `Bearer ${options.key}`, 'Content-Type': 'application/json' },
          setupRequest: (request) => ({ ...request, body: options.body(next++) }),
          onResponse: options.onResponse ? (status, body) => options.onResponse?.(status, body) : undefined,
        },
      ],
    });
    instances.push(instance);
    results.push(Promise.resolve(instance));
    await new Promise((r) => setTimeout(r, 1000 / groups));
  }
  return summarize(await Promise.all(results));
}

function summarize(results: AutocannonResult[]): LoadSummary {
  const sent = results.reduce((a, r) => a + r.requests.sent, 0);
  const ok = results.reduce((a, r) => a + r['2xx'], 0);
  const start = Math.min(...results.map((r) => r.start.getTime()));
  const finish = Math.max(...results.map((r) => r.finish.getTime()));
  // Per-instance percentiles cannot be merged exactly; with one instance they are exact, with many
  // the median of the instances' p50 and the max of their p99 are reported.
  const p50s = results.map((r) => r.latency.p50).sort((a, b) => a - b);
  return {
    sent,
    ok,
    non2xx: results.reduce((a, r) => a + r.non2xx, 0),
    errors: results.reduce((a, r) => a + r.errors + r.timeouts, 0),
    durationMs: finish - start,
    latency: {
      p50: percentile(p50s, 50),
      p99: Math.max(...results.map((r) => r.latency.p99)),
      max: Math.max(...results.map((r) => r.latency.max)),
    },
  };
}
