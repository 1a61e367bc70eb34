import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { Database } from './database.js';

/** How often a process asks for the duties it does not hold, and checks the session of those it holds. */
export const DUTY_CHECK_MS = 2000;

interface Duty {
  name: string;
  start: () => Promise<void> | void;
  stop: () => Promise<void> | void;
  held: boolean;
}

/**
 * Work one process of a cluster does for all of them (telling approvers, delivering the export
 * stream): whichever api process holds a duty does it. On PostgreSQL a duty is a session advisory
 * lock (keyed by the schema and the duty's name) on a connection of its own: the lock goes with
 * the process (the server drops it when the connection closes, a killed process included) and
 * another process takes the duty within DUTY_CHECK_MS. A process whose session breaks (a database
 * restart) stops the duty at its next check. With SQLite the one process holds every duty.
 */
@Injectable()
export class ClusterDuties implements OnApplicationShutdown {
  private readonly logger = new Logger(ClusterDuties.name);
  private readonly duties: Duty[] = [];
  private session: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly db: Database) {}

  /** `start` runs once this process holds the duty `name`, `stop` when it no longer does. */
  async hold(name: string, start: Duty['start'], stop: Duty['stop']): Promise<void> {
    const duty: Duty = { name, start, stop, held: false };
    this.duties.push(duty);
    if (this.db.dataSource.options.type !== 'postgres') {
      duty.held = true;
      await start();
      return;
    }
    await this.check();
    this.timer ??= setInterval(() => void this.check(), DUTY_CHECK_MS);
    this.timer.unref();
  }

  /** Whether this process does the duty `name` now. */
  holds(name: string): boolean {
    return this.duties.some((d) => d.name === name && d.held);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.checking;
    for (const duty of this.duties) await this.lose(duty);
    await this.session?.end().catch(() => undefined);
  }

  /** One check at a time: the session is alive for the duties held; the others are asked for. */
  private check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    if (this.stopped) return;
    try {
      const session = (this.session ??= await this.open());
      if (this.duties.some((d) => d.held)) await session.query('SELECT 1');
      for (const duty of this.duties.filter((d) => !d.held)) {
        const { rows } = await session.query<{ held: boolean }>(
          "SELECT pg_try_advisory_lock(hashtextextended(coalesce(current_schema(), '') || ':riposte-duty:' || $1, 0)) AS held",
          [duty.name],
        );
        if (!rows[0]?.held || this.stopped) continue;
        // Said once per name (two services may share a duty: the lock is the same).
        if (!this.holds(duty.name)) this.logger.log(`This process now does the cluster's ${duty.name}.`);
        duty.held = true;
        await duty.start();
      }
    } catch (error) {
      // The session is gone, and its locks with it: another process may hold them already.
      this.logger.warn({ error: (error as Error).message }, 'lost the session that holds cluster duties');
      const session = this.session;
      this.session = undefined;
      await session?.end().catch(() => undefined);
      for (const duty of this.duties) await this.lose(duty);
    }
  }

  private async lose(duty: Duty): Promise<void> {
    if (!duty.held) return;
    duty.held = false;
    try {
      await duty.stop();
    } catch (error) {
      this.logger.warn({ duty: duty.name, error: (error as Error).message }, 'a cluster duty did not stop cleanly');
    }
  }

  private async open(): Promise<pg.Client> {
    const options = this.db.dataSource.options as { url?: string };
    const session = new pg.Client({ connectionString: options.url });
    // A broken connection is seen by the next check; unhandled, this event would end the process.
    session.on('error', () => undefined);
    await session.connect();
    return session;
  }
}
