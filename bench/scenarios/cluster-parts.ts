import { Redis } from 'ioredis';
import pg from 'pg';
import { ServiceProcess, env } from '../harness.js';
import { cpuTimeMs, machineCpu } from '../proc.js';
import type { ProbeReport } from '../service-probe.js';

/* What a cluster pass measures of its parts (CPU, statements, Redis commands), and its setup's clean-up. */

export interface CpuSample {
  api: number;
  workers: number;
  postgres: number;
  redis: number;
  machine: number;
}

/**
 * CPU time so far (ms): of the api and worker processes, of the PostgreSQL backends named
 * `application`, of Redis, of the machine. `backends` keeps each backend's last reading across
 * samples: a pooled connection closed between two samples keeps counting what it had used.
 */
export async function cpuSample(
  api: ServiceProcess,
  workers: ServiceProcess[],
  application: string | null,
  backends: Map<number, number>,
): Promise<CpuSample> {
  const own = (pid: number) => {
    try {
      return cpuTimeMs(pid);
    } catch {
      return 0; // ended meanwhile
    }
  };
  let postgres = 0;
  let redis = 0;
  if (application) {
    const client = new pg.Client({
      connectionString: env.str('RIPOSTE_BENCH_POSTGRES_URL', 'postgres://postgres@127.0.0.1:5432/test'),
    });
    await client.connect();
    try {
      const rows = (
        await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [
          application,
        ])
      ).rows;
      for (const row of rows) backends.set(row.pid, Math.max(backends.get(row.pid) ?? 0, own(row.pid)));
      for (const ms of backends.values()) postgres += ms;
    } finally {
      await client.end();
    }
    const info = new Redis(env.str('RIPOSTE_BENCH_REDIS_URL', 'redis://127.0.0.1:6379'), { maxRetriesPerRequest: 1 });
    try {
      const text = await info.info('cpu');
      const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? 0);
      redis = (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
    } finally {
      info.disconnect();
    }
  }
  return {
    api: own(api.pid),
    workers: workers.reduce((n, w) => n + own(w.pid), 0),
    postgres,
    redis,
    machine: machineCpu().machineBusyMs,
  };
}

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Statements, transactions and Redis commands sent by a part of a pass, between two probes of its processes. */
export interface PartCounts {
  statements: number;
  transactions: number;
  redis: number;
  byTable: Record<string, number>;
  redisByName: Record<string, number>;
}

export async function probeAll(processes: ServiceProcess[]): Promise<ProbeReport[]> {
  return Promise.all(processes.map((p) => p.probe()));
}

/** The counts of `after` minus `before`, summed over the processes (same order). */
export function countsBetween(before: ProbeReport[], after: ProbeReport[]): PartCounts {
  const sum: PartCounts = { statements: 0, transactions: 0, redis: 0, byTable: {}, redisByName: {} };
  const add = (into: Record<string, number>, a: Record<string, number>, b: Record<string, number> = {}) => {
    for (const [k, v] of Object.entries(a)) into[k] = (into[k] ?? 0) + v - (b[k] ?? 0);
  };
  after.forEach((report, i) => {
    const was = before[i]!.sql;
    sum.statements += report.sql.statements - was.statements;
    sum.transactions += report.sql.transactions - was.transactions;
    add(sum.byTable, report.sql.byTable, was.byTable);
    add(sum.redisByName, report.sql.redis ?? {}, was.redis ?? {});
  });
  sum.redis = Object.values(sum.redisByName).reduce((n, v) => n + v, 0);
  return sum;
}

/** The `n` largest entries, each divided by `runs` (two decimals). */
export function topPerRun(counts: Record<string, number>, runs: number, n: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts)
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => [k, Math.round((v / runs) * 100) / 100]),
  );
}
