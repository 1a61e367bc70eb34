import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { TokenProvider } from '@riposte/azure';
import { AppConfig } from '@riposte/config';
import { ConnectionTargetsService, SecretBox } from '@riposte/connection-targets';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '@riposte/errors';
import { redactor } from '@riposte/observability';
import { ClusterDuties, Database, ExportEventEntity, ExportSinkEntity, nowIso } from '@riposte/persistence';
import { compileSchema, formatSchemaErrors } from '@riposte/schema';
import { EventCollector, EXPORT_STREAM } from '../event-collector.js';
import { ExportMetrics } from '../export-metrics.js';
import { AzureMonitorTransport, type AzureMonitorSettings } from './azure-monitor.transport.js';
import type { Transport } from './delivery.js';
import { DestinationPolicy } from './destination-policy.js';
import { SinkRunner } from './sink-runner.js';
import { SETTINGS_SCHEMAS, type CreateSink, type SinkType, type UpdateSink } from './sink.schemas.js';
import { SplunkHecTransport, type SplunkHecSettings } from './splunk-hec.transport.js';
import { SyslogTransport, type SyslogSettings } from './syslog.transport.js';

export interface SinkView {
  name: string;
  type: SinkType;
  enabled: boolean;
  settings: Record<string, unknown>;
  hasToken: boolean;
  status: 'ok' | 'retrying' | 'error' | 'disabled' | 'idle';
  message: string | null;
  /** The last event seq delivered, and how many events wait behind it. */
  cursor: number;
  lag: number;
  delivered: number;
  deadLetters: number;
  failures: number;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const VALIDATORS = Object.fromEntries(
  Object.entries(SETTINGS_SCHEMAS).map(([type, schema]) => [
    type,
    compileSchema<Record<string, unknown>>(schema, { useDefaults: true }),
  ]),
) as Record<SinkType, ReturnType<typeof compileSchema<Record<string, unknown>>>>;

/** How often the process that delivers looks for sinks created or enabled through another api process. */
const RESCAN_MS = 5000;

/** Token scopes of the Logs Ingestion API by cloud. */
const MONITOR_SCOPES: Record<string, string> = {
  public: 'https://monitor.azure.com/.default',
  usgov: 'https://monitor.azure.us/.default',
  china: 'https://monitor.azure.cn/.default',
  custom: 'https://monitor.azure.com/.default',
};

/**
 * The push sinks of the export stream, configured like connection targets (the HEC token is
 * sealed with the data key and never shown again), and their delivery loops: one per enabled
 * sink, each with its own durable cursor, in the one process that holds the duty 'export
 * stream' (every api process of a cluster may create and change sinks; ClusterDuties).
 */
@Injectable()
export class SinksService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('export');
  private readonly runners = new Map<string, SinkRunner>();
  readonly policy: DestinationPolicy;
  private stopped = false;
  private rescan: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly collector: EventCollector,
    private readonly targets: ConnectionTargetsService,
    private readonly tokens: TokenProvider,
    private readonly config: AppConfig,
    private readonly metrics: ExportMetrics,
    private readonly duties: ClusterDuties,
  ) {
    this.policy = new DestinationPolicy(config.allowCustomEndpoints, config.export.allowedNetworks);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Delivered by one api process of a cluster (the one holding the duty); a worker, or a second
    // api process, would send the same events again.
    if (this.config.role === 'worker') return;
    const rows = await this.db.reader.find(ExportSinkEntity);
    for (const row of rows) {
      if (row.secretCiphertext && this.box.canOpen(row.secretCiphertext))
        redactor.register(this.box.open(row.secretCiphertext, row.id));
      this.metrics.update(row, await this.lagOf(row.cursor));
    }
    this.metrics.onCollect(() => this.refreshLag());
    void this.duties.hold(
      EXPORT_STREAM,
      () => this.deliver(),
      () => this.stopDelivering(),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.stopDelivering();
  }

  /** This process delivers: every enabled sink gets its loop, also one created or enabled through another api process. */
  private async deliver(): Promise<void> {
    await this.startEnabled();
    this.rescan = setInterval(() => void this.startEnabled().catch(() => undefined), RESCAN_MS);
    this.rescan.unref();
  }

  private async startEnabled(): Promise<void> {
    for (const row of await this.db.reader.find(ExportSinkEntity, { where: { enabled: true } })) {
      // A loop ends when it finds its sink disabled or deleted; enabled again, it starts anew.
      if (this.runners.get(row.id)?.running === false) this.runners.delete(row.id);
      this.start(row.id);
    }
  }

  private async stopDelivering(): Promise<void> {
    clearInterval(this.rescan);
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    this.runners.clear();
  }

  async create(input: CreateSink, by: string | null): Promise<SinkView> {
    const id = randomUUID();
    const now = nowIso();
    const settings = await this.checkSettings(input.type, input.settings as Record<string, unknown>);
    this.checkToken(input.type, input.token, true);
    await this.collector.collect();
    const head = input.startAt === 'now' ? await this.head() : 0;
    const row: ExportSinkEntity = {
      id,
      name: input.name,
      type: input.type,
      enabled: input.enabled ?? true,
      settings,
      secretCiphertext: null,
      cursor: head,
      status: input.enabled === false ? 'disabled' : 'idle',
      message: null,
      delivered: 0,
      deadLetters: 0,
      failures: 0,
      lastAttemptAt: null,
      lastSuccessAt: null,
      nextAttemptAt: null,
      createdBy: by,
      createdAt: now,
      updatedAt: now,
    };
    if (input.token) {
      redactor.register(input.token);
      row.secretCiphertext = this.box.seal(input.token, id);
    }
    await this.db.transaction(async (m) => {
      if (await m.exists(ExportSinkEntity, { where: { name: input.name } }))
        throw new ConflictError(`A sink named '${input.name}' already exists.`);
      await m.insert(ExportSinkEntity, row as never);
    });
    this.metrics.update(row, await this.lagOf(row.cursor));
    if (row.enabled) this.start(row.id);
    return this.view(row, await this.head());
  }

  async list(): Promise<SinkView[]> {
    const rows = await this.db.reader.find(ExportSinkEntity, { order: { name: 'ASC' } });
    const head = await this.head();
    return rows.map((row) => this.view(row, head));
  }

  async get(name: string): Promise<SinkView> {
    return this.view(await this.find(name), await this.head());
  }

  async update(name: string, patch: UpdateSink): Promise<SinkView> {
    const current = await this.find(name);
    const next: ExportSinkEntity = { ...current, updatedAt: nowIso() };
    if (patch.settings)
      next.settings = await this.checkSettings(current.type as SinkType, { ...current.settings, ...patch.settings });
    if (patch.token !== undefined) {
      this.checkToken(current.type as SinkType, patch.token, false);
      redactor.register(patch.token);
      next.secretCiphertext = this.box.seal(patch.token, current.id);
    }
    if (patch.enabled !== undefined) next.enabled = patch.enabled;
    if (!next.enabled) next.status = 'disabled';
    else if (current.status === 'disabled') next.status = 'idle';
    // A new configuration gets a fresh start: no waiting out the old one's backoff.
    if (patch.settings || patch.token !== undefined || patch.enabled)
      Object.assign(next, { failures: 0, nextAttemptAt: null });
    await this.db.transaction((m) =>
      m.update(
        ExportSinkEntity,
        { id: current.id },
        {
          settings: next.settings as never,
          secretCiphertext: next.secretCiphertext,
          enabled: next.enabled,
          status: next.status,
          failures: next.failures,
          nextAttemptAt: next.nextAttemptAt,
          updatedAt: next.updatedAt,
        },
      ),
    );
    const fresh = await this.find(name);
    this.metrics.update(fresh, await this.lagOf(fresh.cursor));
    await this.runners.get(current.id)?.stop();
    this.runners.delete(current.id);
    if (fresh.enabled) this.start(fresh.id);
    // The stopped loop may have written its last status after ours.
    else if (fresh.status !== 'disabled')
      await this.db.transaction((m) => m.update(ExportSinkEntity, { id: fresh.id }, { status: 'disabled' }));
    return this.view(fresh.enabled ? fresh : { ...fresh, status: 'disabled' }, await this.head());
  }

  async delete(name: string): Promise<void> {
    const row = await this.find(name);
    await this.runners.get(row.id)?.stop();
    this.runners.delete(row.id);
    await this.db.transaction((m) => m.delete(ExportSinkEntity, { id: row.id }));
    this.metrics.remove(row.name);
  }

  /** Waits until the sink has delivered everything collected so far, or the time is up (tests, `?wait=`). */
  async drained(name: string, timeoutMs: number): Promise<SinkView> {
    await this.collector.collect();
    const head = await this.head();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await this.find(name);
      if (row.cursor >= head || Date.now() > deadline) return this.view(row, await this.head());
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Builds the transport for the sink as it is configured now. */
  async transportFor(row: ExportSinkEntity): Promise<Transport> {
    const settings = row.settings ?? {};
    switch (row.type as SinkType) {
      case 'syslog':
        return new SyslogTransport(settings as unknown as SyslogSettings, this.policy);
      case 'splunkHec':
        return new SplunkHecTransport(
          settings as unknown as SplunkHecSettings,
          row.secretCiphertext ? this.box.open(row.secretCiphertext, row.id) : '',
          this.policy,
        );
      case 'azureMonitor': {
        const s = settings as unknown as AzureMonitorSettings;
        return new AzureMonitorTransport(
          s,
          async (refresh) => {
            const target = await this.targets.resolve(s.connectionTarget);
            // The monitor scope rides on a target of its own, so its tokens are cached apart from the management ones.
            const scope = s.scope ?? MONITOR_SCOPES[target.cloud] ?? MONITOR_SCOPES.public;
            const monitor = {
              ...target,
              id: `${target.id}/monitor`,
              scopes: { ...target.scopes, management: scope as string },
            };
            return (await this.tokens.getToken(monitor, 'management', { forceRefresh: refresh })).token;
          },
          this.policy,
        );
      }
      default:
        throw new ValidationError(`Unknown sink type '${row.type}'.`);
    }
  }

  private start(id: string): void {
    if (this.stopped || !this.duties.holds(EXPORT_STREAM) || this.runners.has(id)) return;
    const runner = new SinkRunner(
      id,
      this.db,
      this.collector,
      this,
      this.metrics,
      this.config.export.maxBackoffMs,
      this.logger,
    );
    this.runners.set(id, runner);
    runner.start();
  }

  private async checkSettings(type: SinkType, settings: Record<string, unknown>): Promise<Record<string, unknown>> {
    const copy = structuredClone(settings);
    const validate = VALIDATORS[type];
    if (!validate(copy)) {
      const errors: FieldError[] = formatSchemaErrors(validate.errors).map((e) => ({
        path: `/settings${e.path}`,
        message: e.message,
      }));
      throw new ValidationError(`The ${type} settings are not valid.`, errors);
    }
    const problems: FieldError[] = [];
    if (type === 'syslog') {
      const refused = this.policy.refuseHost(String(copy.host));
      if (refused) problems.push({ path: '/settings/host', message: refused });
    } else {
      const key = type === 'splunkHec' ? 'url' : 'endpoint';
      const refused = this.policy.refuseUrl(String(copy[key]));
      if (refused) problems.push({ path: `/settings/${key}`, message: refused });
    }
    if (type === 'azureMonitor') {
      try {
        await this.targets.get(String(copy.connectionTarget));
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        problems.push({
          path: '/settings/connectionTarget',
          message: `no connection target is named '${String(copy.connectionTarget)}'`,
        });
      }
    }
    if (problems.length) throw new ValidationError('The sink cannot send there.', problems, 'endpoint_refused');
    return copy;
  }

  private checkToken(type: SinkType, token: string | undefined, creating: boolean): void {
    if (type === 'splunkHec' && creating && !token)
      throw new ValidationError('A Splunk HEC sink needs its token.', [
        { path: '/token', message: 'is required for type splunkHec' },
      ]);
    if (type !== 'splunkHec' && token !== undefined)
      throw new ValidationError(`A ${type} sink takes no token.`, [
        {
          path: '/token',
          message: `is only for type splunkHec${type === 'azureMonitor' ? ' (Azure Monitor signs in with the connection target)' : ''}`,
        },
      ]);
  }

  async find(name: string): Promise<ExportSinkEntity> {
    const row = await this.db.reader.findOne(ExportSinkEntity, { where: { name } });
    if (!row) throw new NotFoundError('Sink', name);
    return row;
  }

  /** The newest event's seq. */
  async head(): Promise<number> {
    const last = await this.db.reader.find(ExportEventEntity, {
      select: { seq: true },
      order: { seq: 'DESC' },
      take: 1,
    });
    return last[0]?.seq ?? 0;
  }

  private async lagOf(cursor: number): Promise<number> {
    return Math.max(0, (await this.head()) - cursor);
  }

  private async refreshLag(): Promise<void> {
    const head = await this.head();
    for (const row of await this.db.reader.find(ExportSinkEntity))
      this.metrics.update(row, Math.max(0, head - row.cursor));
  }

  view(row: ExportSinkEntity, head: number): SinkView {
    return {
      name: row.name,
      type: row.type as SinkType,
      enabled: row.enabled,
      settings: row.settings ?? {},
      hasToken: row.secretCiphertext !== null,
      status: row.status as SinkView['status'],
      message: row.message,
      cursor: row.cursor,
      lag: Math.max(0, head - row.cursor),
      delivered: row.delivered,
      deadLetters: row.deadLetters,
      failures: row.failures,
      lastAttemptAt: row.lastAttemptAt,
      lastSuccessAt: row.lastSuccessAt,
      nextAttemptAt: row.nextAttemptAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}
