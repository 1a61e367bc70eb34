import { EventEmitter } from 'node:events';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { And, LessThan, LessThanOrEqual, MoreThan, MoreThanOrEqual, type EntityManager } from 'typeorm';
import { AppConfig } from '@riposte/config';
import {
  ClusterDuties,
  Database,
  ExportEventEntity,
  ExportSinkEntity,
  nowIso,
  type SqlParam,
} from '@riposte/persistence';
import {
  alertEvent,
  auditEvent,
  effectEvent,
  runEndedEvent,
  runStartedEvent,
  storedData,
  type PendingEvent,
} from './event-schema.js';
import {
  collectorSql,
  decodeAlert,
  decodeAudit,
  decodeEffect,
  decodeRun,
  type CollectorSql,
} from './collector-rows.js';

/**
 * Rows the look-back reloads in one pass at most (after a restart with a backlog it may find many
 * more: the rest come with the next passes).
 */
const LATE_PER_PASS = 2000;
/** The cluster duty of collecting the stream and delivering it to the sinks (ClusterDuties). */
export const EXPORT_STREAM = 'export stream';
/** How often the tables are read for new events when nothing asks sooner. */
const COLLECT_INTERVAL_MS = 1000;
/** Rows read per source per pass. */
const PAGE = 500;
/**
 * Time-ordered sources are re-read this far back: a row stamped at T may commit a little after a
 * row stamped later (concurrent transactions). What was already collected is skipped by its key.
 */
const OVERLAP_MS = 120_000;
/** How often a pass also looks back over the overlap. */
const LOOK_BACK_INTERVAL_MS = 5000;
/** How often old events are pruned. */
const PRUNE_INTERVAL_MS = 3_600_000;

interface TimeSource {
  name: string;
  /** The type of the events it makes. */
  type: string;
  toEvent: (row: Record<string, unknown>) => PendingEvent;
  keyOf: (row: { id: string; at: string }) => string;
}

const TIME_SOURCES: TimeSource[] = [
  {
    name: 'alerts',
    type: 'alert.received',
    toEvent: (row) => alertEvent(decodeAlert(row)),
    keyOf: (r) => `alert:${r.id}`,
  },
  {
    name: 'runs.started',
    type: 'run.started',
    toEvent: (row) => runStartedEvent(decodeRun(row)),
    keyOf: (r) => `run.started:${r.id}`,
  },
  {
    name: 'runs.ended',
    type: 'run.ended',
    toEvent: (row) => runEndedEvent(decodeRun(row)),
    keyOf: (r) => `run.ended:${r.id}`,
  },
  {
    name: 'effects',
    type: 'effect.settled',
    toEvent: (row) => effectEvent(decodeEffect(row)),
    keyOf: (r) => `effect:${r.id}:${r.at}`,
  },
];

/**
 * Builds the export stream from what is already durable: alerts, runs, settled effects and the
 * audit trail are read from their tables and appended to `export_events`, each source's position
 * moved in the same transaction. A crash loses nothing (the next pass starts where the last
 * commit left off) and collecting twice adds nothing (the event key is unique). The owners of
 * those tables are not touched: the stream follows them.
 */
@Injectable()
export class EventCollector implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('export');
  /** Emits `appended` after events were committed (sinks wake up on it). */
  readonly signal = new EventEmitter<{ appended: [] }>();
  /** Keys collected recently, so the look-back does not reload full rows (the unique key is what guarantees once). */
  private readonly recent = new Map<string, number>();
  /** Whether `recent` was filled from the stream since this process started. */
  private remembered = false;
  private pass: Promise<number> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private lastPrune = 0;
  private lastLookBack = 0;
  private stopped = false;
  /** This process holds the duty of collecting the stream on a schedule. */
  private following = false;

  private readonly sql: CollectorSql;

  constructor(
    private readonly db: Database,
    private readonly config: AppConfig,
    private readonly duties: ClusterDuties,
  ) {
    this.sql = collectorSql(db.dataSource.options.type === 'postgres');
  }

  onApplicationBootstrap(): void {
    // One api process of a cluster collects every second (each pass would otherwise be paid by
    // every process, for events the unique key then drops); a read of the stream through any
    // process collects first (`collect`).
    if (this.config.role === 'worker') return;
    void this.duties.hold(
      EXPORT_STREAM,
      () => {
        this.following = true;
        this.schedule(0);
      },
      () => {
        this.following = false;
        clearTimeout(this.timer);
      },
    );
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /**
   * Collects now and resolves once everything committed before the call is in the stream.
   * Concurrent callers share a pass; a call during a pass gets the next one.
   */
  async collect(): Promise<number> {
    if (this.pass) {
      this.again = true;
      await this.pass.catch(() => undefined);
      return this.collect();
    }
    this.pass = this.collectAll().finally(() => (this.pass = undefined));
    return this.pass;
  }

  private schedule(delayMs: number): void {
    if (this.stopped || !this.following) return;
    this.timer = setTimeout(async () => {
      try {
        await this.collect();
        if (Date.now() - this.lastPrune > PRUNE_INTERVAL_MS) await this.prune();
      } catch (error) {
        this.logger.warn({ err: error }, 'export: collecting events failed; trying again');
      }
      this.schedule(COLLECT_INTERVAL_MS);
    }, delayMs);
    this.timer.unref();
  }

  private async collectAll(): Promise<number> {
    let total = 0;
    do {
      this.again = false;
      let appended: number;
      do {
        appended = 0;
        const pending: PendingEvent[] = [];
        const positions: { source: string; position: string }[] = [];
        const marks: string[] = [];
        const lookBack = Date.now() - this.lastLookBack > LOOK_BACK_INTERVAL_MS;
        if (lookBack) this.lastLookBack = Date.now();
        // Every source's position in one read (a pass runs every second in each api process).
        const at = await this.positions();
        if (lookBack && !this.remembered) await this.remember(at);
        const auditRead = await this.readAudit(at.get('audit'), pending, positions, marks, lookBack);
        let full = auditRead === PAGE;
        for (const source of TIME_SOURCES)
          full =
            (await this.readTimeSource(source, at.get(source.name), pending, positions, marks, lookBack)) === PAGE ||
            full;
        if (pending.length || positions.length) await this.append(pending, positions);
        const now = Date.now();
        for (const key of marks) this.recent.set(key, now);
        appended = pending.length;
        total += appended;
        if (!full) break;
      } while (!this.stopped);
    } while (this.again && !this.stopped);
    if (total) this.signal.emit('appended');
    return total;
  }

  /**
   * After a restart, the keys already in the stream within each source's look-back window: without
   * them the first look-back reloads and rebuilds every row of the window (after a burst of 10,000
   * runs, seconds of CPU and a few hundred MB) only for the unique key to drop them all.
   */
  private async remember(at: Map<string, string>): Promise<void> {
    const now = Date.now();
    const windows = [{ type: 'audit.recorded', since: now - OVERLAP_MS }];
    for (const source of TIME_SOURCES) {
      const position = at.get(source.name);
      if (position) windows.push({ type: source.type, since: Date.parse(position) - OVERLAP_MS });
    }
    for (const { type, since } of windows) {
      const rows = await this.db.reader.find(ExportEventEntity, {
        select: { key: true },
        where: { type, at: MoreThanOrEqual(new Date(since).toISOString()) },
      });
      for (const { key } of rows) this.recent.set(key, now);
    }
    this.remembered = true;
  }

  private async positions(): Promise<Map<string, string>> {
    const rows = await this.db.all<{ source: string; position: string }>(this.db.reader, this.sql.positions, []);
    return new Map(rows.map((r) => [r.source, r.position]));
  }

  /**
   * The audit trail has an insertion order (its hash chain follows it): read by sequence number.
   * On SQLite (one writer) numbers commit in order; on PostgreSQL a lower number may commit
   * after a higher one was read, so the look-back also re-reads the last two minutes.
   */
  private async readAudit(
    position: string | undefined,
    pending: PendingEvent[],
    positions: { source: string; position: string }[],
    marks: string[],
    lookBack: boolean,
  ): Promise<number> {
    const after = Number(position ?? 0);
    const read = (sql: string, params: SqlParam[]) =>
      this.db.all(this.db.reader, sql, params).then((rows) => rows.map(decodeAudit));
    const rows = await read(this.sql.auditAfter, [after, PAGE]);
    if (lookBack && after > 0) {
      const since = new Date(Date.now() - OVERLAP_MS).toISOString();
      const recent = await this.db.all<{ id: string }>(this.db.reader, this.sql.auditRecentIds, [after, since]);
      const missed = recent
        .filter((r) => !this.recent.has(`audit:${r.id}`))
        .map((r) => r.id)
        .slice(0, LATE_PER_PASS);
      if (missed.length)
        rows.unshift(...(await byIds(missed, (ids) => read(this.sql.auditByIds, [JSON.stringify(ids)]))));
      rows.sort((a, b) => a.seq - b.seq);
    }
    for (const row of rows) {
      pending.push(auditEvent(row));
      marks.push(`audit:${row.id}`);
    }
    const last = rows.filter((r) => r.seq > after).at(-1);
    if (last) positions.push({ source: 'audit', position: String(last.seq) });
    return rows.length;
  }

  /**
   * Alerts, runs and effects have no insertion order: read by time from the last position on,
   * and now and then from a little before it (rows that committed late), skipping what is known.
   */
  private async readTimeSource(
    source: TimeSource,
    since: string | undefined,
    pending: PendingEvent[],
    positions: { source: string; position: string }[],
    marks: string[],
    lookBack: boolean,
  ): Promise<number> {
    const sql = this.sql.stamps[source.name]!;
    const read = (text: string, params: SqlParam[]) =>
      this.db.all<{ id: string; at: string }>(this.db.reader, text, params);
    // Ids and times first: most rows of the look-back were collected already.
    const stamps = await read(sql.from, [since ?? '', PAGE]);
    const late =
      since && lookBack ? await read(sql.between, [new Date(Date.parse(since) - OVERLAP_MS).toISOString(), since]) : [];
    const unknown = (s: { id: string; at: string }) => !this.recent.has(source.keyOf(s));
    const fresh = [...late.filter(unknown).slice(0, LATE_PER_PASS), ...stamps.filter(unknown)];
    if (fresh.length) {
      const rows = await byIds(
        fresh.map((s) => s.id),
        (ids) => this.db.all(this.db.reader, sql.byIds, [JSON.stringify(ids)]),
      );
      for (const row of rows) {
        const event = source.toEvent(row);
        if (event.at) pending.push(event);
      }
    }
    for (const s of fresh) marks.push(source.keyOf(s));
    const last = stamps.at(-1)?.at;
    if (last && last !== since) positions.push({ source: source.name, position: last });
    // A full page that did not move the position (500 rows of one instant) must not loop.
    return stamps.length === PAGE && last !== since ? PAGE : 0;
  }

  private async append(pending: PendingEvent[], positions: { source: string; position: string }[]): Promise<void> {
    // Stable order within a pass: by time, and a run's start before anything else of the same instant.
    pending.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : rank(a) - rank(b)));
    const values = pending.map((event) => ({
      key: event.key,
      type: event.type,
      at: event.at,
      data: storedData(event.data),
    }));
    await this.db.transaction(async (m) => {
      // In order, a hundred rows a statement; a key already in the stream is skipped.
      for (let i = 0; i < values.length; i += 100) {
        const chunk = values.slice(i, i + 100);
        await this.db.run(
          m,
          this.sql.insertEvents(chunk.length),
          chunk.flatMap((v) => [v.key, v.type, v.at, v.data]),
        );
      }
      const now = nowIso();
      for (const p of positions) await this.db.run(m, this.sql.upsertPosition, [p.source, p.position, now]);
    });
    this.forgetOld();
  }

  private forgetOld(): void {
    if (this.recent.size < 50_000) return;
    const cutoff = Date.now() - OVERLAP_MS * 2;
    for (const [key, at] of this.recent) if (at < cutoff) this.recent.delete(key);
  }

  /** Drops events older than the retention that every sink has delivered. */
  async prune(retentionMs = this.config.export.retentionMs): Promise<number> {
    this.lastPrune = Date.now();
    const before = new Date(Date.now() - retentionMs).toISOString();
    return this.db.transaction(async (m: EntityManager) => {
      const sinks = await m.find(ExportSinkEntity, { select: { cursor: true } });
      // With no sink, nothing waits for delivery: only the age counts (a bound past the column's
      // integer range would be refused by PostgreSQL).
      const seq = sinks.length
        ? And(LessThanOrEqual(Math.min(...sinks.map((s) => s.cursor))), MoreThan(0))
        : MoreThan(0);
      const result = await m.delete(ExportEventEntity, { at: LessThan(before), seq });
      return result.affected ?? 0;
    });
  }
}

function rank(event: PendingEvent): number {
  return ['alert.received', 'run.started', 'effect.settled', 'audit.recorded', 'run.ended'].indexOf(event.type);
}

/** Rows by id, a page of ids per statement (SQLite takes at most 32,766 parameters in one). */
async function byIds<T>(ids: string[], read: (page: string[]) => Promise<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for (let i = 0; i < ids.length; i += PAGE) rows.push(...(await read(ids.slice(i, i + PAGE))));
  return rows;
}
