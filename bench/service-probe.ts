import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/*
 * Loaded into the *service* process by the benchmark (`node --import …/service-probe.js`), never by
 * the product itself. It counts every SQL statement the sqlite3 driver is given (TypeORM calls
 * `Database#run` and `Database#all`; the hot path runs statements it prepared once, each run of
 * which counts), by kind and by table, and on SIGWINCH (not SIGUSR2: NestJS's
 * shutdown hooks stop the service on that one) writes those counts,
 * `process.memoryUsage()` and `process.cpuUsage()` to BENCH_PROBE_FILE. When the request file
 * (`<BENCH_PROBE_FILE>.req`) says `{"gc":true}` (and the service runs with `--expose-gc`) it also
 * collects garbage and reports the memory after, so heap figures are live objects only.
 *
 * Cost: one string test and two map increments per statement; nothing else changes.
 */

export interface ProbeReport {
  seq: number;
  at: number;
  sql: SqlCounts;
  memory: NodeJS.MemoryUsage;
  memoryAfterGc: NodeJS.MemoryUsage | null;
  cpu: NodeJS.CpuUsage;
}

export interface SqlCounts {
  statements: number;
  transactions: number;
  commits: number;
  rollbacks: number;
  byKind: Record<string, number>;
  /** `INSERT users`, `UPDATE runs`, `SELECT runs`, … (first table named). */
  byTable: Record<string, number>;
  /** Redis commands sent, by name (queue mode). */
  redis: Record<string, number>;
}

const file = process.env.BENCH_PROBE_FILE;
if (file) install(file);

function install(path: string): void {
  const require = createRequire(import.meta.url);
  // The same module instance TypeORM loads (`require('sqlite3')` resolves to the one package).
  const sqlite3 = require('sqlite3') as { Database: { prototype: Record<string, unknown> } };
  const counts: SqlCounts = {
    statements: 0,
    transactions: 0,
    commits: 0,
    rollbacks: 0,
    byKind: {},
    byTable: {},
    redis: {},
  };
  // BENCH_PROBE_TRACE=<file>: also append every statement to a file (slow; for trace-run.ts only).
  const trace = process.env.BENCH_PROBE_TRACE;
  const count = (sql: unknown) => {
    if (typeof sql !== 'string') return;
    counts.statements += 1;
    if (trace)
      appendFileSync(
        trace,
        `${JSON.stringify({ at: performance.timeOrigin + performance.now(), sql: sql.replace(/\s+/g, ' ').slice(0, 400), stack: callers() })}\n`,
      );
    const text = sql.trimStart();
    const kind = (/^\w+/.exec(text)?.[0] ?? '?').toUpperCase();
    counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
    if (kind === 'BEGIN' || kind === 'START') counts.transactions += 1;
    else if (kind === 'COMMIT') counts.commits += 1;
    else if (kind === 'ROLLBACK') counts.rollbacks += 1;
    const table =
      /^(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)/i.exec(text)?.[1] ??
      (kind === 'SELECT' ? /\bFROM\s+["`]?(\w+)/i.exec(text)?.[1] : undefined);
    if (table) {
      const key = `${kind} ${table}`;
      counts.byTable[key] = (counts.byTable[key] ?? 0) + 1;
    }
  };
  for (const method of ['run', 'all', 'get', 'each', 'exec']) {
    const original = sqlite3.Database.prototype[method];
    if (typeof original !== 'function') continue;
    sqlite3.Database.prototype[method] = function (this: unknown, sql: unknown, ...rest: unknown[]) {
      count(sql);
      return (original as (...args: unknown[]) => unknown).call(this, sql, ...rest);
    };
  }
  // Statements prepared once and run many times (the hot path's): each run counts, the prepare does not.
  const preparedSql = new WeakMap<object, string>();
  const prepare = sqlite3.Database.prototype.prepare as (...args: unknown[]) => object;
  sqlite3.Database.prototype.prepare = function (this: unknown, sql: unknown, ...rest: unknown[]) {
    const statement = prepare.call(this, sql, ...rest);
    if (typeof sql === 'string') preparedSql.set(statement, sql);
    return statement;
  };
  const statementProto = (sqlite3 as unknown as { Statement: { prototype: Record<string, unknown> } }).Statement
    .prototype;
  for (const method of ['run', 'all', 'get', 'each']) {
    const original = statementProto[method];
    if (typeof original !== 'function') continue;
    statementProto[method] = function (this: object, ...args: unknown[]) {
      const sql = preparedSql.get(this);
      if (sql !== undefined) count(sql);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }

  // PostgreSQL (queue mode): every query node-postgres sends, pooled or in a transaction, counted alike.
  try {
    const pgModule = require('pg') as { Client: { prototype: Record<string, unknown> } };
    const query = pgModule.Client.prototype.query as (...args: unknown[]) => unknown;
    pgModule.Client.prototype.query = function (this: unknown, config: unknown, ...rest: unknown[]) {
      count(typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text);
      return query.call(this, config, ...rest);
    };
  } catch {
    // no pg in this install
  }
  // Redis (queue mode): every command ioredis sends (a Lua script counts once, as EVALSHA).
  try {
    const ioredis = require('ioredis') as { Redis: { prototype: Record<string, unknown> } };
    const send = ioredis.Redis.prototype.sendCommand as (...args: unknown[]) => unknown;
    ioredis.Redis.prototype.sendCommand = function (this: unknown, command: unknown, ...rest: unknown[]) {
      const name = (command as { name?: string } | null)?.name ?? '?';
      counts.redis[name] = (counts.redis[name] ?? 0) + 1;
      return send.call(this, command, ...rest);
    };
  } catch {
    // no ioredis in this install
  }

  // An experiment, off unless asked for: what TypeORM's `sqlite3.verbose()` (long stack traces:
  // an Error and util.inspect of the arguments on every call) costs. Not a product setting.
  if (process.env.BENCH_EXPERIMENT_SQLITE_QUIET === '1')
    (sqlite3 as unknown as { verbose: () => unknown }).verbose = () => sqlite3;

  /** The nearest Riposte frames of the current (synchronous) stack, for the trace. */
  const callers = () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 60;
    const stack = new Error().stack ?? '';
    Error.stackTraceLimit = limit;
    return stack
      .split('\n')
      .filter((l) => /\/dist\/(libs|apps)\//.test(l))
      .slice(0, 3)
      .map((l) =>
        l
          .trim()
          .replace(/^at /, '')
          .replace(/\(?file:\/\/.*\/dist\//, '')
          .replace(/\)$/, ''),
      )
      .join(' < ');
  };

  let seq = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('SIGWINCH', () => {
    const memory = process.memoryUsage();
    let memoryAfterGc: NodeJS.MemoryUsage | null = null;
    let wantGc = false;
    try {
      wantGc = (JSON.parse(readFileSync(`${path}.req`, 'utf8')) as { gc?: boolean }).gc === true;
    } catch {
      // no request file: no collection
    }
    if (wantGc && gc) {
      gc();
      gc();
      memoryAfterGc = process.memoryUsage();
    }
    const report: ProbeReport = {
      seq: ++seq,
      at: Date.now(),
      sql: counts,
      memory,
      memoryAfterGc,
      cpu: process.cpuUsage(),
    };
    writeFileSync(`${path}.tmp`, JSON.stringify(report));
    renameSync(`${path}.tmp`, path);
  });
}
