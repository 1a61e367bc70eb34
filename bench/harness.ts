import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEMO, FakeCloud, createPki } from '@riposte/fake-cloud';
import type { FakeRequest } from '@riposte/fake-cloud';
import { generateKey } from '@riposte/auth';
import { cpuTimeMs, memory } from './proc.js';
import type { ProbeReport } from './service-probe.js';

/** The repository root (this file runs from dist/bench/). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RESULTS_DIR = join(ROOT, 'bench', 'results');
const MAIN = fileURLToPath(new URL('../apps/api/src/main.js', import.meta.url));
const PROBE = pathToFileURL(fileURLToPath(new URL('./service-probe.js', import.meta.url))).href;

export const env = {
  int(name: string, fallback: number): number {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number (got '${raw}').`);
    return value;
  },
  str(name: string, fallback: string): string {
    const raw = process.env[name];
    return raw === undefined || raw === '' ? fallback : raw;
  },
  flag(name: string): boolean {
    return ['1', 'true', 'yes'].includes((process.env[name] ?? '').toLowerCase());
  },
};

/** The log level the service runs at in every scenario (the product's default is `info`). */
export const SERVICE_LOG_LEVEL = env.str('BENCH_LOG_LEVEL', 'warn');
export const CPU_PROFILING = env.flag('BENCH_CPU_PROF');
/**
 * The service's Node flags, as `npm start` passes them (README, Operations); `BENCH_NODE_FLAGS`
 * replaces them (`BENCH_NODE_FLAGS=` runs Node's defaults, for an A/B).
 */
const SERVICE_NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '--max-semi-space-size=32').split(' ').filter(Boolean);

/**
 * Limits that guardrails (RIPOSTE_GUARDRAILS_FILE) would otherwise impose on the benchmark: a
 * budget of 20 disables an hour and 10 entities per run would hold the scenarios' steps for an
 * analyst. Entity protection stays at its defaults. BENCH_GUARDRAILS=0 leaves the variable unset.
 */
export const GUARDRAILS_YAML = `maxEntitiesPerRun: 100000
budgets:
  azure_ad.disable_user: { limit: 1000000, window: 1h }
  azure_ad.enable_user: { limit: 1000000, window: 1h }
  defender.isolate_machine: { limit: 1000000, window: 1h }
`;

const stopping = new WeakSet<ChildProcess>();

export interface ServiceOptions {
  /** Scenario name: names the CPU profile and the log file. */
  name: string;
  dataDir: string;
  workDir: string;
  env: Record<string, string>;
}

/**
 * The built service (dist/apps/api/src/main.js) in a child process on 127.0.0.1, as in
 * production, with the benchmark's probe preloaded (see service-probe.ts).
 */
export class ServiceProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly pid: number,
    /** Spawn to the first healthy answer of /health, in ms. */
    readonly startMs: number,
    readonly logFile: string,
    private readonly probeFile: string,
  ) {}

  static async start(options: ServiceOptions): Promise<ServiceProcess> {
    const port = await freePort();
    const probeFile = join(options.workDir, `probe-${options.name}.json`);
    const logFile = join(options.workDir, `service-${options.name}.log`);
    const log = openSync(logFile, 'a');
    const args = ['--expose-gc', ...SERVICE_NODE_FLAGS, '--import', PROBE];
    if (CPU_PROFILING) {
      mkdirSync(join(RESULTS_DIR, 'profiles'), { recursive: true });
      args.push(
        '--cpu-prof',
        `--cpu-prof-dir=${join(RESULTS_DIR, 'profiles')}`,
        `--cpu-prof-name=${options.name}.cpuprofile`,
      );
    }
    const started = performance.now();
    const child = spawn(process.execPath, [...args, MAIN], {
      cwd: options.workDir, // no stray .env, no ./data
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: SERVICE_LOG_LEVEL,
        RIPOSTE_DATA_DIR: options.dataDir,
        RIPOSTE_ALLOW_CUSTOM_ENDPOINTS: 'true',
        // As `npm start` runs it (README, Operations).
        MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
        BENCH_PROBE_FILE: probeFile,
        ...options.env,
      },
      stdio: ['ignore', log, 'inherit'],
    });
    closeSync(log);
    child.on('exit', (code, signal) => {
      if (!stopping.has(child))
        process.stderr.write(
          `  ! the service (${options.name}) exited unexpectedly: code ${code}, signal ${signal}; log in ${logFile}\n`,
        );
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, child, logFile);
    return new ServiceProcess(child, url, child.pid as number, performance.now() - started, logFile, probeFile);
  }

  cpuMs(): number {
    return cpuTimeMs(this.pid);
  }

  memory(): { rss: number; hwm: number } {
    return memory(this.pid);
  }

  /** Asks the probe in the service for its counters (SQL statements, heap, CPU). */
  async probe(options: { gc?: boolean } = {}): Promise<ProbeReport> {
    const before = existsSync(this.probeFile)
      ? (JSON.parse(readFileSync(this.probeFile, 'utf8')) as ProbeReport).seq
      : 0;
    writeFileSync(`${this.probeFile}.req`, JSON.stringify({ gc: options.gc === true }));
    this.child.kill('SIGWINCH');
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      await sleep(20);
      if (!existsSync(this.probeFile)) continue;
      try {
        const report = JSON.parse(readFileSync(this.probeFile, 'utf8')) as ProbeReport;
        if (report.seq > before) return report;
      } catch {
        // being renamed into place
      }
    }
    throw new Error('The service probe did not answer within 10 s.');
  }

  /** SIGTERM and wait for the exit (the CPU profile, if any, is written then). Returns the time it took. */
  async stop(): Promise<number> {
    const started = performance.now();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      stopping.add(this.child);
      const exited = once(this.child, 'exit');
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    }
    return performance.now() - started;
  }
}

export interface EnvironmentOptions {
  name: string;
  /** Added by the fake cloud to every answer. */
  latencyMs: number;
  /** Playbook files (id → YAML) in the service's playbooks folder; nothing else is there. */
  playbooks?: Record<string, string>;
  env?: Record<string, string>;
}

export interface BenchEnvironment {
  name: string;
  url: string;
  /** Admin API key. */
  key: string;
  fake: FakeCloud;
  service: ServiceProcess;
  dir: string;
  dataDir: string;
  serviceEnv: Record<string, string>;
  api<T = unknown>(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: T }>;
  /** Creates an API key with a role; returns the key. */
  createKey(role: string, name?: string): Promise<string>;
  /** Counters of the service's Prometheus metrics, by series (`riposte_runs_total{kind="playbook",status="succeeded"}`). */
  metrics(): Promise<Map<string, number>>;
  /** Stops the service and starts a new one on the same data (the fake cloud stays). */
  restartService(name: string): Promise<{ stopMs: number; service: ServiceProcess }>;
  close(): Promise<void>;
}

/**
 * A fake Microsoft cloud (Entra ID, Graph, Defender over HTTPS) in this process and the built
 * service in a child process, both on loopback, on a fresh data directory with its own playbooks
 * folder; a connection target `bench` points the service at the fake.
 */
export async function startEnvironment(options: EnvironmentOptions): Promise<BenchEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), `riposte-bench-${options.name}-`));
  const dataDir = join(dir, 'data');
  const playbooksDir = join(dir, 'playbooks');
  mkdirSync(playbooksDir, { recursive: true });
  for (const [id, yaml] of Object.entries(options.playbooks ?? {}))
    writeFileSync(join(playbooksDir, `${id}.yaml`), yaml);
  const pki = await createPki(join(dir, 'pki'));
  const fake = await FakeCloud.start({
    port: 0,
    tls: { cert: pki.serverCertPem, key: pki.serverKeyPem },
    latencyMs: options.latencyMs,
    actionTransitionMs: 20,
    requestLogSize: 1000,
  });
  fake.seedDemo();
  // As the README advises for production: with the directory roles readable, the protection
  // check is a few cached calls per tenant instead of a memberOf call per user.
  fake.getApp(DEMO.clientId)?.roles.graph?.push('RoleManagement.Read.Directory');
  const key = generateKey();
  const serviceEnv: Record<string, string> = {
    RIPOSTE_ADMIN_KEY: key,
    RIPOSTE_PLAYBOOKS_DIR: playbooksDir,
    NODE_EXTRA_CA_CERTS: pki.caFile,
    // One operator runs the benchmark: it approves the runs its own alerts start.
    RIPOSTE_ALLOW_SELF_APPROVAL: 'true',
    ...(process.env.BENCH_GUARDRAILS === '0' ? {} : { RIPOSTE_GUARDRAILS_FILE: writeGuardrails(dir) }),
    ...options.env,
  };
  let service: ServiceProcess;
  let started: ServiceProcess | undefined;
  try {
    service = started = await ServiceProcess.start({ name: options.name, dataDir, workDir: dir, env: serviceEnv });
    // Playbooks arrive with alert-fired automation off: the benchmark turns it on for its own.
    for (const id of Object.keys(options.playbooks ?? {})) {
      const response = await fetch(`${service.url}/api/v1/playbooks/${id}/automation`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ enabled: true, reason: 'benchmark' }),
      });
      if (response.status !== 200) throw new Error(`Could not turn on automation for ${id}: ${await response.text()}`);
    }
  } catch (error) {
    await started?.stop().catch(() => undefined);
    await fake.close();
    throw error;
  }

  const environment: BenchEnvironment = {
    name: options.name,
    get url() {
      return service.url;
    },
    key,
    fake,
    get service() {
      return service;
    },
    dir,
    dataDir,
    serviceEnv,
    async api<T>(method: string, path: string, body?: unknown, apiKey = key) {
      const response = await fetch(`${service.url}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${apiKey}`,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // text answers (metrics)
      }
      return { status: response.status, body: parsed as T };
    },
    async createKey(role: string, name = `bench-${role}`) {
      const reply = await environment.api<{ key: string }>('POST', '/api/v1/api-keys', { name, role });
      if (reply.status !== 201)
        throw new Error(`Could not create a ${role} key: ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body.key;
    },
    async metrics() {
      const reply = await environment.api<string>('GET', '/metrics');
      if (reply.status !== 200) throw new Error(`GET /metrics answered ${reply.status}`);
      return parseMetrics(reply.body);
    },
    async restartService(name: string) {
      const stopMs = await service.stop();
      service = await ServiceProcess.start({ name, dataDir, workDir: dir, env: serviceEnv });
      return { stopMs, service };
    },
    async close() {
      await service.stop();
      await fake.close();
      if (process.env.BENCH_KEEP === '1') process.stderr.write(`  (kept ${dir})\n`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };

  const created = await environment.api('POST', '/api/v1/connection-targets', {
    name: 'bench',
    tenantId: DEMO.tenantId,
    clientId: DEMO.clientId,
    cloud: 'custom',
    endpoints: fake.endpoints,
    auth: { type: 'clientSecret', clientSecret: DEMO.clientSecret },
  });
  if (created.status !== 201) {
    await environment.close();
    throw new Error(`Could not register the connection target: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return environment;
}

function writeGuardrails(dir: string): string {
  const path = join(dir, 'guardrails.yaml');
  writeFileSync(path, GUARDRAILS_YAML);
  return path;
}

export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

/** Sum of the series of a metric whose labels include all of `labels`. */
export function metricSum(metrics: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const [series, value] of metrics) {
    if (series !== name && !series.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => series.includes(`${k}="${v}"`))) total += value;
  }
  return total;
}

/**
 * Calls `onRequest` the moment each call reaches the fake cloud, before its simulated latency
 * and its handler: a wire request as itself, a `$batch` as each of the calls inside it.
 */
export function onFakeArrival(fake: FakeCloud, onRequest: (path: string, at: number) => void): void {
  fake.on('arrival', (req: FakeRequest) => {
    const at = performance.now();
    if (req.batched) return;
    if (!req.path.endsWith('/$batch')) return onRequest(req.path, at);
    const inner = (JSON.parse(req.body || '{}') as { requests?: { url?: string }[] }).requests ?? [];
    for (const call of inner)
      onRequest(`/graph/v1.0/${decodeURIComponent((call.url ?? '').split('?')[0] ?? '').replace(/^\/+/, '')}`, at);
  });
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function waitForHealth(url: string, service: ChildProcess, logFile: string): Promise<void> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
    if (service.exitCode !== null)
      throw new Error(`The service exited during start (code ${service.exitCode}); its log:\n${tail(logFile)}`);
    if (
      await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(10);
  }
  throw new Error(`The service did not start within 120 s; its log:\n${tail(logFile)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Waits until `check` returns true, polling; returns false on timeout. */
export async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 200,
): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return check();
}
