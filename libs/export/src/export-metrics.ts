import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { Metrics } from '@riposte/observability';
import type { ExportSinkEntity } from '@riposte/persistence';

const STATUSES = ['ok', 'idle', 'retrying', 'error', 'disabled'] as const;

/** The export's Prometheus metrics, on the service's registry. */
@Injectable()
export class ExportMetrics {
  private refresh: () => Promise<void> = async () => undefined;
  readonly delivered: Counter<'sink' | 'type'>;
  readonly deadLetters: Counter<'sink' | 'type'>;
  readonly failures: Counter<'sink' | 'type'>;
  private readonly lag: Gauge<'sink' | 'type'>;
  private readonly up: Gauge<'sink' | 'type'>;
  private readonly status: Gauge<'sink' | 'type' | 'status'>;
  private readonly deadLettersStored: Gauge<'sink' | 'type'>;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    const labelNames = ['sink', 'type'] as const;
    this.delivered = new Counter({
      name: 'riposte_export_sink_delivered_total',
      help: 'Events a sink delivered (counted again when re-sent).',
      labelNames,
      registers,
    });
    this.deadLetters = new Counter({
      name: 'riposte_export_sink_dead_letters_total',
      help: "Events a sink's receiver refused for good and that were skipped.",
      labelNames,
      registers,
    });
    this.failures = new Counter({
      name: 'riposte_export_sink_failures_total',
      help: 'Failed delivery attempts (receiver down, busy or refusing), retried with backoff.',
      labelNames,
      registers,
    });
    const refresh = () => this.refresh();
    this.lag = new Gauge({
      name: 'riposte_export_sink_lag_events',
      help: 'Events collected but not yet delivered by a sink.',
      labelNames,
      registers,
      async collect() {
        await refresh().catch(() => undefined);
      },
    });
    this.up = new Gauge({
      name: 'riposte_export_sink_up',
      help: '1 while a sink delivers (status ok or idle), 0 while it retries, fails or is disabled.',
      labelNames,
      registers,
    });
    this.status = new Gauge({
      name: 'riposte_export_sink_status',
      help: "A sink's status: 1 for the current one.",
      labelNames: ['sink', 'type', 'status'],
      registers,
    });
    this.deadLettersStored = new Gauge({
      name: 'riposte_export_sink_dead_letters',
      help: 'Events a sink has dead-lettered since it was created.',
      labelNames,
      registers,
    });
  }

  /** Called before each scrape, to read the sinks' lag fresh from the database. */
  onCollect(refresh: () => Promise<void>): void {
    this.refresh = refresh;
  }

  update(row: ExportSinkEntity, lag: number): void {
    const labels = { sink: row.name, type: row.type };
    this.lag.set(labels, lag);
    this.up.set(labels, row.status === 'ok' || row.status === 'idle' ? 1 : 0);
    for (const status of STATUSES) this.status.set({ ...labels, status }, row.status === status ? 1 : 0);
    this.deadLettersStored.set(labels, row.deadLetters);
  }

  remove(name: string): void {
    for (const gauge of [this.lag, this.up, this.deadLettersStored, this.delivered, this.deadLetters, this.failures]) {
      for (const type of ['syslog', 'splunkHec', 'azureMonitor']) gauge.remove({ sink: name, type });
    }
    for (const type of ['syslog', 'splunkHec', 'azureMonitor'])
      for (const status of STATUSES) this.status.remove({ sink: name, type, status });
  }
}
