import { type DataSource, type EntityManager, type EntityTarget, type ObjectLiteral, type Repository } from 'typeorm';
import { SerialLock } from './serial-lock.js';

/**
 * The one way the application writes to the database.
 *
 * SQLite through the sqlite3 driver gives TypeORM a single connection, so two transactions
 * that overlap would run on top of each other ("cannot start a transaction within a
 * transaction") and a stray write could land inside somebody else's transaction. Writes are
 * therefore serialized here. On PostgreSQL each transaction gets its own pooled connection and
 * no lock is taken. Keep network calls out of `transaction` callbacks: they hold the lock.
 */
export class Database {
  private readonly writeLock: SerialLock | undefined;

  constructor(readonly dataSource: DataSource) {
    this.writeLock = dataSource.options.type === 'sqlite' ? new SerialLock() : undefined;
  }

  /** For reads. Never write through it: use `transaction`. */
  get reader(): EntityManager {
    return this.dataSource.manager;
  }

  repository<T extends ObjectLiteral>(entity: EntityTarget<T>): Repository<T> {
    return this.dataSource.getRepository(entity);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const run = () => this.dataSource.transaction(work);
    return this.writeLock ? this.writeLock.run(run) : run();
  }

  /** True when a unique constraint refused a write (portable across drivers). */
  static isUniqueViolation(error: unknown): boolean {
    const e = error as { code?: string; driverError?: { code?: string }; message?: string };
    const code = e?.driverError?.code ?? e?.code;
    return code === 'SQLITE_CONSTRAINT' ? /UNIQUE/i.test(e.message ?? '') : code === '23505';
  }
}
