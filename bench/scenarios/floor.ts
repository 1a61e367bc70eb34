import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FakeCloud, createPki } from '@riposte/fake-cloud';
import { benchAlert, benchUpn } from '../fixtures.js';
import { env, round } from '../harness.js';
import { closedLoop } from '../load.js';
import { cpuTimeMs } from '../proc.js';

/*
 * The floor of a run's CPU under the design card's parts: what `sqlite3`, axios over TLS and
 * NestJS on fastify cost for the work of one four-step run with nothing of Riposte around them
 * (bench/floor-parts.ts, in a process of its own): a statement (autocommitted, on a WAL
 * database, in the hot path's shapes), an HTTPS call to the fake cloud (kept-alive agent), and
 * an alert's POST answered by an empty route. Each is a lower bound: the service's own work
 * (validation, the playbook's machine and expressions, redaction, the audit chain, the
 * triggers' extra rows) comes on top. Per run: one POST, `calls` HTTPS calls, `statements`
 * statements (the throughput scenario's counts when it ran, else 3.2 and 12). Per no-op step of
 * the engine: a step of an XState machine (an invoked promise actor, the transition, the persisted
 * snapshot serialized) and one statement (the journal's write).
 */

export interface FloorResult {
  usPerStatement: number;
  /** A step of an XState machine: the invoked actor, the transition, the persisted snapshot serialized. */
  usPerMachineStep: number;
  usPerHttpsCall: number;
  usPerPost: number;
  setup: { sqliteRuns: number; httpsCalls: number; posts: number };
}

const PARTS = fileURLToPath(new URL('../floor-parts.js', import.meta.url));

function part(args: string[], extraEnv: Record<string, string> = {}) {
  return spawn(process.execPath, [PARTS, ...args], {
    env: { ...process.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

async function firstLine<T>(child: ReturnType<typeof part>): Promise<T> {
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`floor-parts exited with ${String(code)}`);
    }),
  ])) as [string];
  lines.close();
  return JSON.parse(line) as T;
}

export async function measureFloor(): Promise<FloorResult> {
  const sqliteRuns = env.int('BENCH_FLOOR_RUNS', 3000);
  const httpsCalls = env.int('BENCH_FLOOR_CALLS', 6000);
  const posts = env.int('BENCH_FLOOR_POSTS', 6000);

  const sqlite = part(['sqlite', String(sqliteRuns), '12']);
  const { usPerStatement } = await firstLine<{ usPerStatement: number }>(sqlite);
  await once(sqlite, 'exit');
  const machine = part(['xstate', '2000', '10']);
  const { usPerStep: usPerMachineStep } = await firstLine<{ usPerStep: number }>(machine);
  await once(machine, 'exit');

  const dir = mkdtempSync(join(tmpdir(), 'riposte-bench-floor-'));
  const pki = await createPki(join(dir, 'pki'));
  const fake = await FakeCloud.start({
    port: 0,
    tls: { cert: pki.serverCertPem, key: pki.serverKeyPem },
    latencyMs: 0,
  });
  let usPerHttpsCall: number;
  try {
    const https = part(['https', fake.url, String(httpsCalls)], { NODE_EXTRA_CA_CERTS: pki.caFile });
    ({ usPerCall: usPerHttpsCall } = await firstLine<{ usPerCall: number }>(https));
    await once(https, 'exit');
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const http = part(['http']);
  let usPerPost: number;
  try {
    const { port } = await firstLine<{ port: number }>(http);
    const load = (amount: number) =>
      closedLoop({
        url: `http://127.0.0.1:${port}`,
        path: '/api/v1/alerts',
        key: 'floor',
        connections: 32,
        amount,
        maxSeconds: 120,
        body: (i) => JSON.stringify(benchAlert(`floor-${i}`, benchUpn(i % 1000), 'Floor')),
      });
    await load(1000); // warm-up
    const before = cpuTimeMs(http.pid!);
    await load(posts);
    usPerPost = ((cpuTimeMs(http.pid!) - before) * 1000) / posts;
  } finally {
    // Waited for, so that its CPU counts as the scenario's children's, not as other processes'.
    const exited = once(http, 'exit');
    http.kill();
    await exited;
  }
  return {
    usPerStatement: round(usPerStatement),
    usPerMachineStep: round(usPerMachineStep),
    usPerHttpsCall: round(usPerHttpsCall),
    usPerPost: round(usPerPost),
    setup: { sqliteRuns, httpsCalls, posts },
  };
}

/** The floor of one run: one POST, `calls` HTTPS calls and `statements` statements, in ms. */
export function floorPerRun(floor: FloorResult, calls: number, statements: number): number {
  return round((floor.usPerPost + calls * floor.usPerHttpsCall + statements * floor.usPerStatement) / 1000, 2);
}
