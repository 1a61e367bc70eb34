import { createHash } from 'node:crypto';
import { type DataSource, type EntityManager } from 'typeorm';
import { PreparedStatements, type SqlParam } from './prepared-statements.js';

interface Unit {
  work: (manager: EntityManager) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** One statement (`runAlone`): alone in its batch it needs no BEGIN and COMMIT around it. */
  single: boolean;
}

/** Units committed together at most (a batch is one transaction). */
const MAX_BATCH = 256;

/**
 * The one way the application writes to the database, and where it reads.
 *
 * SQLite through the sqlite3 driver gives TypeORM a single connection, so writes are
 * serialized here, and they are *group-committed*: the transactions asked for while one is
 * being written are run together, in order, as one transaction. Under load that saves most
 * BEGIN/COMMIT pairs; alone, a transaction is written at once as before. If a batch fails, it is
 * rolled back and each of its units is run again on its own, so only the faulty one fails: a
 * unit must therefore only touch the database (in-memory effects belong after the `await`),
 * and in-memory state kept in step with the data registers `onRollback`.
 *
 * Reads go through a second connection (`reader`), which in WAL mode sees the last committed
 * state and never another flow's half-done transaction. On PostgreSQL each transaction gets
 * its own pooled connection: no lock, no batching.
 */
export class Database {
  private readonly batching: boolean;
  private readonly queue: Unit[] = [];
  private flushing = false;
  private readonly prepared = new PreparedStatements();

  constructor(
    readonly dataSource: DataSource,
    private readonly readSource: DataSource = dataSource,
  ) {
    this.batching = dataSource.options.type === 'sqlite';
  }

  /** For reads: committed data only. Never write through it: use `transaction`. */
  get reader(): EntityManager {
    return this.readSource.manager;
  }

  /** Runs `work` in a transaction (shared with others asked for at the same time, on SQLite). Keep network calls out of it. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.batching) return this.dataSource.transaction(work);
    return this.enqueue(work, false);
  }

  private enqueue<T>(work: (manager: EntityManager) => Promise<T>, single: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject, single });
      if (!this.flushing) void this.flush();
    });
  }

  /**
   * The hot path's statements: fixed SQL (parameters `$1`, `$2`, … on both stores), prepared
   * once per connection and reused, with no query building. `m` is a transaction's manager (from
   * `transaction`) or `reader`. Returns the rows changed. Column names are quoted as created
   * (`"runId"`); JSON goes in as text; the cold paths stay with TypeORM.
   */
  run(m: EntityManager, sql: string, params: readonly SqlParam[]): Promise<number> {
    return this.prepared.run(m, sql, params);
  }

  /** Like `run`, for a statement that returns rows (a SELECT, or a write with RETURNING). */
  all<T = Record<string, unknown>>(m: EntityManager, sql: string, params: readonly SqlParam[]): Promise<T[]> {
    return this.prepared.all(m, sql, params) as Promise<T[]>;
  }

  /**
   * One statement that is a transaction by itself, sent without BEGIN and COMMIT around it
   * (autocommit): on PostgreSQL always; on SQLite when the writer is idle, else it joins the group
   * commit like any transaction. Returns the rows changed.
   */
  runAlone(sql: string, params: readonly SqlParam[]): Promise<number> {
    if (!this.batching) return this.run(this.dataSource.manager, sql, params);
    if (this.idle()) return this.direct(() => this.run(this.dataSource.manager, sql, params));
    return this.enqueue((m) => this.run(m, sql, params), true);
  }

  /** Like `runAlone`, for a write with RETURNING. */
  allAlone<T = Record<string, unknown>>(sql: string, params: readonly SqlParam[]): Promise<T[]> {
    if (!this.batching) return this.all<T>(this.dataSource.manager, sql, params);
    if (this.idle()) return this.direct(() => this.all<T>(this.dataSource.manager, sql, params));
    return this.enqueue((m) => this.all<T>(m, sql, params), true);
  }

  /** SQLite: nothing is being written and nothing waits to be (a `runAlone` now goes straight to the driver). */
  get writerIdle(): boolean {
    return this.batching && this.idle();
  }

  private idle(): boolean {
    return !this.flushing && this.queue.length === 0;
  }

  /**
   * SQLite, with the writer idle: one statement is its own transaction (autocommit), as atomic and
   * durable as BEGIN, the statement and COMMIT, in one call to the driver instead of three. What
   * is asked for meanwhile waits, and is group-committed right after.
   */
  private async direct<T>(statement: () => Promise<T>): Promise<T> {
    this.flushing = true;
    try {
      return await statement();
    } finally {
      this.flushing = false;
      if (this.queue.length) void this.flush();
    }
  }

  async close(): Promise<void> {
    if (this.readSource !== this.dataSource && this.readSource.isInitialized) await this.readSource.destroy();
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_BATCH);
        const only = batch.length === 1 ? batch[0] : undefined;
        if (only?.single) {
          // One statement waited alone: autocommitted, as `runAlone` sends it when the writer is idle.
          await this.alone(only, this.dataSource.manager);
          continue;
        }
        const results: unknown[] = [];
        try {
          await this.dataSource.transaction(async (m) => {
            for (const unit of batch) results.push(await unit.work(m));
          });
          batch.forEach((unit, i) => unit.resolve(results[i]));
        } catch (error) {
          if (batch.length === 1) (batch[0] as Unit).reject(error);
          else for (const unit of batch) await this.alone(unit);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** A unit on its own: in a transaction of its own, or (`manager`) autocommitted. */
  private async alone(unit: Unit, manager?: EntityManager): Promise<void> {
    try {
      unit.resolve(await (manager ? unit.work(manager) : this.dataSource.transaction(unit.work)));
    } catch (error) {
      unit.reject(error);
    }
  }

  /**
   * Makes the transaction of `manager` the only one holding `name` until it ends, in every
   * process sharing the database: for a read-then-write that must not interleave (the audit
   * chain's head). SQLite already has one writer at a time; PostgreSQL takes a transaction-scoped
   * advisory lock, keyed by a hash of the name.
   */
  static async lock(manager: EntityManager, name: string): Promise<void> {
    if (manager.connection.options.type !== 'postgres') return;
    if (!manager.queryRunner?.isTransactionActive) throw new Error(`Database.lock('${name}') needs a transaction`);
    await manager.query('SELECT pg_advisory_xact_lock($1)', [lockKey(name)]);
  }

  /** True when a unique constraint refused a write (portable across drivers). */
  static isUniqueViolation(error: unknown): boolean {
    const e = error as { code?: string; driverError?: { code?: string }; message?: string };
    const code = e?.driverError?.code ?? e?.code;
    return code === 'SQLITE_CONSTRAINT' ? /UNIQUE/i.test(e.message ?? '') : code === '23505';
  }
}

/** A signed 64-bit advisory lock key for a name (as text: node-postgres sends it as a bigint). */
function lockKey(name: string): string {
  return createHash('sha256').update(`riposte:${name}`).digest().readBigInt64BE(0).toString();
}
