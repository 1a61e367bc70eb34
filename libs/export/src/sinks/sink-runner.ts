import type { Logger } from '@nestjs/common';
import { MoreThan } from 'typeorm';
import { redactor } from '@riposte/observability';
import { type Database, ExportEventEntity, ExportSinkEntity, nowIso } from '@riposte/persistence';
import type { EventCollector } from '../event-collector.js';
import { toExportEvent } from '../event-schema.js';
import type { ExportMetrics } from '../export-metrics.js';
import { DeliveryError, type Transport } from './delivery.js';

/** How long an idle loop sleeps when no new event wakes it. */
const IDLE_MS = 2000;
const FIRST_BACKOFF_MS = 1000;
/** After this many failures in a row, a sink shows `error` rather than `retrying`. */
const ERROR_AFTER = 5;

interface SinkOwner {
  transportFor(row: ExportSinkEntity): Promise<Transport>;
  head(): Promise<number>;
}

/**
 * Delivers one sink's events, in seq order, at least once: the cursor moves (in the database)
 * only after the receiver took the events. A failure waits with exponential backoff (or the
 * receiver's Retry-After) and tries the same events again; a batch the receiver refuses is sent
 * one event at a time, and an event refused on its own is counted as a dead letter and skipped,
 * so one bad event cannot stop the stream.
 */
export class SinkRunner {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private transport: Transport | undefined;
  /** The sink's `updatedAt` when its transport was made: settings changed (perhaps through another process) make a new one. */
  private transportOf: string | undefined;
  /** Send one at a time up to this seq (after a refused batch). */
  private singleUntil = 0;
  private readonly onAppended = () => this.wake?.();

  constructor(
    private readonly id: string,
    private readonly db: Database,
    private readonly collector: EventCollector,
    private readonly owner: SinkOwner,
    private readonly metrics: ExportMetrics,
    private readonly maxBackoffMs: number,
    private readonly logger: Logger,
  ) {}

  /** False once the loop ended (stopped, or its sink found disabled or deleted). */
  get running(): boolean {
    return !this.stopping;
  }

  start(): void {
    this.collector.signal.on('appended', this.onAppended);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.collector.signal.off('appended', this.onAppended);
    this.wake?.();
    await this.loop;
    this.transport?.close();
    this.transport = undefined;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.step();
      } catch (error) {
        this.logger.warn({ err: redactor.redact(error) }, 'export: sink delivery loop failed; trying again');
        await this.sleep(IDLE_MS);
      }
    }
  }

  private async step(): Promise<void> {
    const row = await this.db.reader.findOne(ExportSinkEntity, { where: { id: this.id } });
    if (!row || !row.enabled) {
      this.stopping = true;
      return;
    }
    const wait = row.nextAttemptAt ? Date.parse(row.nextAttemptAt) - Date.now() : 0;
    if (wait > 0) return this.sleep(wait, false);
    if (this.transport && this.transportOf !== row.updatedAt) {
      this.transport.close();
      this.transport = undefined;
    }
    if (!this.transport) {
      this.transport = await this.owner.transportFor(row);
      this.transportOf = row.updatedAt;
    }
    const transport = this.transport;
    const size = row.cursor < this.singleUntil ? 1 : transport.batchSize;
    const rows = await this.db.reader.find(ExportEventEntity, {
      where: { seq: MoreThan(row.cursor) },
      order: { seq: 'ASC' },
      take: size,
    });
    if (!rows.length) return this.sleep(IDLE_MS);
    const events = rows.map(toExportEvent);
    const last = (events.at(-1) as { seq: number }).seq;
    const labels = { sink: row.name, type: row.type };
    const now = nowIso();
    try {
      await transport.send(events);
    } catch (thrown) {
      const error =
        thrown instanceof DeliveryError
          ? thrown
          : new DeliveryError('retry', redactor.scrub((thrown as Error)?.message ?? String(thrown)));
      return this.failed(row, error, events.length, last, now, labels);
    }
    await this.save(row, {
      cursor: last,
      delivered: row.delivered + events.length,
      failures: 0,
      status: 'ok',
      message: null,
      lastAttemptAt: now,
      lastSuccessAt: now,
      nextAttemptAt: null,
    });
    this.metrics.delivered.inc(labels, events.length);
  }

  private async failed(
    row: ExportSinkEntity,
    error: DeliveryError,
    count: number,
    last: number,
    now: string,
    labels: { sink: string; type: string },
  ): Promise<void> {
    const message = redactor.scrub(error.message);
    if (error.kind === 'rewind') {
      const cursor = Math.min(row.cursor, error.options.rewindTo ?? row.cursor);
      await this.save(row, { cursor, status: 'retrying', message, lastAttemptAt: now });
      return;
    }
    if (error.kind === 'reject') {
      if (count > 1) {
        this.singleUntil = last;
        return;
      }
      this.logger.warn(`export: sink ${row.name} dead-lettered event ${last}: ${message}`);
      await this.save(row, {
        cursor: last,
        deadLetters: row.deadLetters + 1,
        message: `Event ${last} was refused and skipped: ${message}`,
        lastAttemptAt: now,
      });
      this.metrics.deadLetters.inc(labels);
      return;
    }
    const failures = row.failures + 1;
    const delay = backoff(failures, this.maxBackoffMs, error.options.retryAfterMs);
    const status = error.options.lasting || failures >= ERROR_AFTER ? 'error' : 'retrying';
    if (failures === 1 || failures % 10 === 0)
      this.logger.warn(
        `export: sink ${row.name} failed (${failures} in a row), next try in ${Math.round(delay / 1000)} s: ${message}`,
      );
    await this.save(row, {
      failures,
      status,
      message,
      lastAttemptAt: now,
      nextAttemptAt: new Date(Date.now() + delay).toISOString(),
    });
    this.metrics.failures.inc(labels);
    // A broken stream is rebuilt on the next attempt.
    this.transport?.close();
    this.transport = undefined;
  }

  private async save(row: ExportSinkEntity, changes: Partial<ExportSinkEntity>): Promise<void> {
    await this.db.transaction((m) => m.update(ExportSinkEntity, { id: row.id }, changes as never));
    Object.assign(row, changes);
    this.metrics.update(row, Math.max(0, (await this.owner.head()) - row.cursor));
  }

  /** Sleeps; a new event cuts an idle sleep short (a backoff is waited out). */
  private sleep(ms: number, wakeable = true): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      const stopCheck = setInterval(() => this.stopping && done(), 200);
      stopCheck.unref();
      function done() {
        clearTimeout(timer);
        clearInterval(stopCheck);
        resolve();
      }
      this.wake = wakeable ? done : () => this.stopping && done();
    });
  }
}

/** Exponential backoff with jitter, at most `maxMs`; a receiver's Retry-After is honoured when longer. */
export function backoff(failures: number, maxMs: number, retryAfterMs?: number): number {
  const exponential = Math.min(maxMs, FIRST_BACKOFF_MS * 2 ** Math.min(failures - 1, 20));
  const jittered = exponential * (0.8 + Math.random() * 0.4);
  return Math.max(Math.min(jittered, maxMs), Math.min(retryAfterMs ?? 0, 3_600_000));
}
