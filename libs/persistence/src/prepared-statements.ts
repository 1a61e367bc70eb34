import type { Pool, PoolClient, QueryResult } from 'pg';
import type { Database as SqliteConnection, RunResult, Statement } from 'sqlite3';
import type { EntityManager } from 'typeorm';

/** What a hot-path statement binds: JSON is passed as text, booleans as booleans (1/0 on SQLite). */
export type SqlParam = string | number | boolean | null;

interface SqliteCache {
  statements: Map<string, Promise<Statement>>;
}

/**
 * Statements prepared once per connection and reused, under TypeORM (which keeps the schema,
 * the migrations and the cold paths): TypeORM builds every query anew and the sqlite3 binding
 * prepares, runs and finalizes a statement per call, which was most of the service's CPU per run.
 *
 * SQLite: one `sqlite3.Statement` per SQL text and connection (the writer's or the reader's),
 * finalized before the connection closes; a statement is always stepped to its end (`run`, or
 * `all` for rows), so it never holds a read or write lock after its call. PostgreSQL: named
 * prepared statements of node-postgres (prepared once per pooled connection), on the
 * transaction's connection inside a transaction, on the pool outside.
 *
 * The SQL is written once with `$1`, `$2`, … and quoted column names; SQLite reads the
 * parameters as `?1`, `?2`, ….
 */
// Shared by every Database of the process: a connection (and a pooled PostgreSQL client, whose
// prepared statements are known by name) may be reached through more than one of them.
const sqliteCaches = new WeakMap<SqliteConnection, SqliteCache>();
const sqliteTexts = new Map<string, string>();
const pgNames = new Map<string, string>();

export class PreparedStatements {
  private readonly sqlite = sqliteCaches;
  private readonly sqliteText = sqliteTexts;
  private readonly pgNames = pgNames;

  async run(m: EntityManager, sql: string, params: readonly SqlParam[]): Promise<number> {
    if (m.connection.options.type === 'postgres') return (await this.pg(m, sql, params)).rowCount ?? 0;
    const statement = await this.statement(m, sql);
    return new Promise<number>((resolve, reject) => {
      statement.run(sqliteParams(params), function (this: RunResult, error: Error | null) {
        if (error) reject(error);
        else resolve(this.changes);
      });
    });
  }

  async all(m: EntityManager, sql: string, params: readonly SqlParam[]): Promise<Record<string, unknown>[]> {
    if (m.connection.options.type === 'postgres') return (await this.pg(m, sql, params)).rows;
    const statement = await this.statement(m, sql);
    return new Promise<Record<string, unknown>[]>((resolve, reject) => {
      statement.all<Record<string, unknown>>(sqliteParams(params), (error: Error | null, rows) => {
        if (error) reject(error);
        else resolve(rows);
      });
    });
  }

  private pg(m: EntityManager, sql: string, params: readonly SqlParam[]): Promise<QueryResult> {
    let name = this.pgNames.get(sql);
    if (!name) {
      name = `riposte_${this.pgNames.size + 1}`;
      this.pgNames.set(sql, name);
    }
    const query = { name, text: sql, values: params as SqlParam[] };
    const runner = m.queryRunner as unknown as { isTransactionActive?: boolean; databaseConnection?: PoolClient };
    // In a transaction: its connection. Otherwise any pooled one (each prepares the statement once).
    if (runner?.isTransactionActive && runner.databaseConnection) return runner.databaseConnection.query(query);
    return (m.connection.driver as unknown as { master: Pool }).master.query(query);
  }

  private statement(m: EntityManager, sql: string): Promise<Statement> {
    const connection = (m.connection.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
    let cache = this.sqlite.get(connection);
    if (!cache) {
      cache = { statements: new Map() };
      this.sqlite.set(connection, cache);
      finalizeBeforeClose(connection, cache);
    }
    let statement = cache.statements.get(sql);
    if (!statement) {
      let text = this.sqliteText.get(sql);
      if (text === undefined) {
        text = sql.replace(/\$(\d+)/g, '?$1');
        this.sqliteText.set(sql, text);
      }
      const sqliteSql = text;
      statement = new Promise<Statement>((resolve, reject) => {
        const prepared: Statement = connection.prepare(sqliteSql, (error: Error | null) =>
          error ? reject(error) : resolve(prepared),
        );
      });
      const statements = cache.statements;
      // A statement that does not prepare is not kept: the next call reports the error again.
      statement.catch(() => statements.delete(sql));
      statements.set(sql, statement);
    }
    return statement;
  }
}

function sqliteParams(params: readonly SqlParam[]): SqlParam[] {
  return params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
}

/** A connection with prepared statements does not close (SQLITE_BUSY): they are finalized first. */
function finalizeBeforeClose(connection: SqliteConnection, cache: SqliteCache): void {
  const close = connection.close.bind(connection);
  connection.close = (callback?: (error: Error | null) => void) => {
    const statements = [...cache.statements.values()];
    cache.statements.clear();
    void Promise.allSettled(
      statements.map((p) => p.then((s) => new Promise<void>((resolve) => s.finalize(() => resolve())))),
    ).then(() => close(callback));
  };
}
