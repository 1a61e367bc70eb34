import { type DataSource, type EntityManager } from 'typeorm';

interface Unit {
  work: (manager: EntityManager) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
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
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushing) void this.flush();
    });
  }

  async close(): Promise<void> {
    if (this.readSource !== this.dataSource && this.readSource.isInitialized) await this.readSource.destroy();
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, MAX_BATCH);
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

  private async alone(unit: Unit): Promise<void> {
    try {
      unit.resolve(await this.dataSource.transaction(unit.work));
    } catch (error) {
      unit.reject(error);
    }
  }

  /**
   * Serializes the transactions that take the same named lock until they end: for a check
   * followed by a write that must see every earlier one (the audit chain's head, a budget counted
   * then reserved, the next version number). On PostgreSQL a transaction-scoped advisory lock;
   * on SQLite nothing more is needed: every write goes through this one connection, one
   * transaction at a time.
   */
  static async lock(m: EntityManager, name: string): Promise<void> {
    if (m.connection.options.type !== 'postgres') return;
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
  }

  /** True when a unique constraint refused a write (portable across drivers). */
  static isUniqueViolation(error: unknown): boolean {
    const e = error as { code?: string; driverError?: { code?: string }; message?: string };
    const code = e?.driverError?.code ?? e?.code;
    return code === 'SQLITE_CONSTRAINT' ? /UNIQUE/i.test(e.message ?? '') : code === '23505';
  }
}
