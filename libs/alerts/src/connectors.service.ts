import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AzureError, GraphClient } from '@riposte/azure';
import { AppConfig } from '@riposte/config';
import { ConnectionTargetsService } from '@riposte/connection-targets';
import { ValidationError } from '@riposte/errors';
import { Metrics } from '@riposte/observability';
import { ConnectorEntity, Database, nowIso } from '@riposte/persistence';
import { AlertsService } from './alerts.service.js';
import { PollQueue } from './poll-queue.js';

/** Queue mode: how often every api process puts the feeds' schedules back (after a Redis restart). */
const RESCHEDULE_MS = 60_000;

export const FEEDS = ['alerts', 'incidents'] as const;
export type Feed = (typeof FEEDS)[number];

export interface ConnectorView {
  connectionTarget: string;
  feed: Feed;
  enabled: boolean;
  intervalSeconds: number;
  lookbackSeconds: number;
  status: 'ok' | 'throttled' | 'forbidden' | 'error' | 'idle';
  lastPollAt: string | null;
  lastSuccessAt: string | null;
  cooldownUntil: string | null;
  watermark: string | null;
  fetched: number;
  totalFetched: number;
  message: string | null;
}

const FEED_PATHS: Record<Feed, { path: string; top: number; permission: string; noun: string }> = {
  alerts: { path: '/security/alerts_v2', top: 100, permission: 'SecurityAlert.Read.All', noun: 'alerts' },
  incidents: { path: '/security/incidents', top: 50, permission: 'SecurityIncident.Read.All', noun: 'incidents' },
};
const SYSTEM = { name: 'azure-security', role: 'ingest' as const };

/**
 * Polls Microsoft Graph security alerts (every 5 minutes by default) and incidents (every 15)
 * for the connection targets that opt in. Each poll asks for what changed since the watermark
 * (minus an overlap, so nothing at a page or clock boundary is missed; dedup makes the overlap
 * harmless), follows @odata.nextLink to the end, and only then moves the watermark. A 429 cools
 * the feed down without touching the others; a 403 marks it forbidden, naming the permission.
 */
@Injectable()
export class ConnectorsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('azure-security');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;
  /** Queue mode: the feeds are polled on BullMQ job schedulers, once per interval for the whole cluster. */
  private readonly pollQueue: PollQueue | undefined;
  private rescheduler: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly graph: GraphClient,
    private readonly targets: ConnectionTargetsService,
    private readonly alerts: AlertsService,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    // Alert intake is the api processes' work: workers neither poll nor schedule.
    if (config.queue && config.role !== 'worker') this.pollQueue = new PollQueue(config.queue.url, config.queue.prefix);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.queue) {
      if (!this.pollQueue) return;
      this.pollQueue.work((id) => this.pollOnce(id));
      await this.reschedule();
      this.rescheduler = setInterval(() => void this.reschedule(), RESCHEDULE_MS);
      this.rescheduler.unref();
      return;
    }
    for (const row of await this.db.reader.find(ConnectorEntity, { where: { enabled: true } })) this.arm(row, 1000);
  }

  /** Queue mode: every enabled feed has its schedule, every disabled one none. */
  private async reschedule(): Promise<void> {
    try {
      for (const row of await this.db.reader.find(ConnectorEntity)) {
        if (row.enabled) await this.pollQueue?.schedule(row.id, row.intervalSeconds * 1000);
        else await this.pollQueue?.unschedule(row.id);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'azure-security: the feeds could not be scheduled now; trying again');
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.rescheduler);
    await this.pollQueue?.close();
    for (const timer of this.timers.values()) clearTimeout(timer);
    // A poll in flight records its outcome: let it, before the database closes under it.
    await Promise.allSettled(this.running.values());
  }

  async list(): Promise<ConnectorView[]> {
    const rows = await this.db.reader.find(ConnectorEntity);
    const out: ConnectorView[] = [];
    for (const target of await this.targets.list()) {
      for (const feed of FEEDS) {
        const row = rows.find((r) => r.connectionTarget === target.name && r.feed === feed);
        out.push(row ? view(row) : { ...view(this.defaults(target.name, feed)), status: 'idle' });
      }
    }
    return out;
  }

  /** Turns a feed on or off for a connection target (and polls it at once when turned on). */
  async configure(
    connectionTarget: string,
    feed: Feed,
    settings: { enabled: boolean; intervalSeconds?: number; lookbackSeconds?: number },
  ): Promise<ConnectorView> {
    await this.targets.get(connectionTarget);
    if (!FEEDS.includes(feed))
      throw new ValidationError(`Unknown feed '${feed}'.`, [
        { path: 'feed', message: `must be one of: ${FEEDS.join(', ')}` },
      ]);
    const row = await this.db.transaction(async (m) => {
      const current =
        (await m.findOne(ConnectorEntity, { where: { connectionTarget, feed } })) ??
        this.defaults(connectionTarget, feed);
      const next: ConnectorEntity = {
        ...current,
        enabled: settings.enabled,
        intervalSeconds: settings.intervalSeconds ?? current.intervalSeconds,
        lookbackSeconds: settings.lookbackSeconds ?? current.lookbackSeconds,
        status: settings.enabled ? (current.status === 'idle' ? 'ok' : current.status) : 'idle',
      };
      await m.save(ConnectorEntity, next);
      return next;
    });
    if (this.pollQueue) {
      if (row.enabled) await this.pollQueue.schedule(row.id, row.intervalSeconds * 1000, true);
      else await this.pollQueue.unschedule(row.id);
      return view(row);
    }
    this.disarm(row);
    if (row.enabled) this.arm(row, 0);
    return view(row);
  }

  /** Polls a feed now and waits for the poll to finish (also what the timer does). */
  async pollNow(connectionTarget: string, feed: Feed): Promise<ConnectorView> {
    const row = await this.db.reader.findOne(ConnectorEntity, { where: { connectionTarget, feed } });
    if (!row)
      throw new ValidationError(`The ${feed} feed of '${connectionTarget}' is not configured.`, [
        { path: 'feed', message: 'enable it first' },
      ]);
    await this.pollOnce(row.id);
    return view((await this.db.reader.findOne(ConnectorEntity, { where: { id: row.id } })) as ConnectorEntity);
  }

  private arm(row: ConnectorEntity, delayMs: number): void {
    if (this.stopped) return;
    this.disarm(row);
    const timer = setTimeout(async () => {
      await this.pollOnce(row.id).catch((error: unknown) =>
        this.logger.warn(
          { err: error },
          `azure-security: the ${row.feed} feed of ${row.connectionTarget} could not record its poll`,
        ),
      );
      const fresh = await this.db.reader.findOne(ConnectorEntity, { where: { id: row.id } }).catch(() => null);
      if (fresh?.enabled) this.arm(fresh, nextDelay(fresh));
    }, delayMs);
    timer.unref();
    this.timers.set(row.id, timer);
  }

  private disarm(row: ConnectorEntity): void {
    clearTimeout(this.timers.get(row.id));
    this.timers.delete(row.id);
  }

  /** One poll at a time per feed. */
  private pollOnce(id: string): Promise<void> {
    const running = this.running.get(id);
    if (running) return running;
    const poll = this.poll(id).finally(() => this.running.delete(id));
    this.running.set(id, poll);
    return poll;
  }

  private async poll(id: string): Promise<void> {
    const row = await this.db.reader.findOne(ConnectorEntity, { where: { id } });
    if (!row?.enabled) return;
    const now = Date.now();
    if (row.cooldownUntil && Date.parse(row.cooldownUntil) > now) return;
    const feed = FEED_PATHS[row.feed as Feed];
    const since = row.watermark
      ? Date.parse(row.watermark) - this.config.polling.overlapSeconds * 1000
      : now - row.lookbackSeconds * 1000;
    const filter = encodeURIComponent(`lastUpdateDateTime ge ${new Date(since).toISOString()}`);
    let next: string | null =
      `${feed.path}?$filter=${filter}&$top=${feed.top}${row.feed === 'incidents' ? '&$expand=alerts' : ''}`;
    let fetched = 0;
    let watermark = row.watermark;
    try {
      const target = await this.targets.resolve(row.connectionTarget);
      while (next) {
        // No retries here: a 429 cools the feed down instead of holding the poller.
        const page: { value: Record<string, unknown>[]; nextLink: string | null } = await this.graph.page<
          Record<string, unknown>
        >(target, next, { maxAttempts: 1 });
        const alerts =
          row.feed === 'incidents'
            ? page.value.flatMap((incident) =>
                Array.isArray(incident.alerts) ? (incident.alerts as Record<string, unknown>[]) : [],
              )
            : page.value;
        if (alerts.length)
          await this.alerts.ingest(
            { value: alerts },
            { source: 'poll', connectionTarget: row.connectionTarget, principal: SYSTEM },
          );
        fetched += page.value.length;
        for (const item of page.value) {
          const updated = typeof item.lastUpdateDateTime === 'string' ? item.lastUpdateDateTime : null;
          if (updated && (!watermark || Date.parse(updated) > Date.parse(watermark))) watermark = updated;
        }
        next = page.nextLink;
      }
      await this.record(row, { status: 'ok', message: null, watermark, fetched, success: true, cooldownUntil: null });
      this.logger.log(`azure-security: fetched ${fetched} ${feed.noun} (${row.connectionTarget})`);
      this.metrics.polls.inc({ feed: row.feed, status: 'ok' });
    } catch (error) {
      await this.fail(row, error, fetched, feed.permission);
    }
  }

  private async fail(row: ConnectorEntity, error: unknown, fetched: number, permission: string): Promise<void> {
    const e = error instanceof AzureError ? error : null;
    if (e?.code === 'throttled') {
      const wait = Math.max(e.details.retryAfterMs ?? 0, this.config.polling.cooldownMs);
      const until = new Date(Date.now() + wait).toISOString();
      await this.record(row, {
        status: 'throttled',
        message: `Microsoft Graph is throttling this app${e.details.retryAfterMs !== undefined ? ` (Retry-After ${Math.ceil(e.details.retryAfterMs / 1000)} s)` : ''}; the feed rests until ${until}. ${fetched} fetched before that.`,
        fetched,
        cooldownUntil: until,
      });
      this.logger.warn(
        `azure-security: ${row.feed} feed of ${row.connectionTarget} throttled; cooling down until ${until}`,
      );
      this.metrics.polls.inc({ feed: row.feed, status: 'throttled' });
      return;
    }
    if (e?.code === 'insufficient_privileges') {
      const message = `Microsoft Graph refused to list ${row.feed}: the app registration needs the application permission ${permission} (then admin consent).`;
      if (row.status !== 'forbidden') this.logger.warn(`azure-security: ${row.connectionTarget}: ${message}`);
      await this.record(row, { status: 'forbidden', message, fetched, cooldownUntil: null });
      this.metrics.polls.inc({ feed: row.feed, status: 'forbidden' });
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (row.status !== 'error' || row.message !== message)
      this.logger.warn(`azure-security: ${row.feed} feed of ${row.connectionTarget} failed: ${message}`);
    await this.record(row, { status: 'error', message, fetched, cooldownUntil: null });
    this.metrics.polls.inc({ feed: row.feed, status: 'error' });
  }

  private async record(
    row: ConnectorEntity,
    change: {
      status: string;
      message: string | null;
      fetched: number;
      cooldownUntil: string | null;
      watermark?: string | null;
      success?: boolean;
    },
  ): Promise<void> {
    const now = nowIso();
    await this.db.transaction((m) =>
      m.update(
        ConnectorEntity,
        { id: row.id },
        {
          status: change.status,
          message: change.message,
          fetched: change.fetched,
          totalFetched: row.totalFetched + change.fetched,
          cooldownUntil: change.cooldownUntil,
          lastPollAt: now,
          ...(change.success ? { lastSuccessAt: now, watermark: change.watermark ?? row.watermark } : {}),
        },
      ),
    );
  }

  private defaults(connectionTarget: string, feed: Feed): ConnectorEntity {
    const polling = this.config.polling;
    return {
      id: randomUUID(),
      connectionTarget,
      feed,
      enabled: false,
      intervalSeconds: feed === 'alerts' ? polling.alertsIntervalSeconds : polling.incidentsIntervalSeconds,
      lookbackSeconds: polling.lookbackSeconds,
      watermark: null,
      status: 'idle',
      message: null,
      lastPollAt: null,
      lastSuccessAt: null,
      cooldownUntil: null,
      fetched: 0,
      totalFetched: 0,
    };
  }
}

/** The next poll: the interval, or the end of a cool-down if that is later. */
function nextDelay(row: ConnectorEntity): number {
  const interval = row.intervalSeconds * 1000;
  const cooldown = row.cooldownUntil ? Date.parse(row.cooldownUntil) - Date.now() : 0;
  return Math.max(interval, cooldown);
}

function view(row: ConnectorEntity): ConnectorView {
  return {
    connectionTarget: row.connectionTarget,
    feed: row.feed as Feed,
    enabled: row.enabled,
    intervalSeconds: row.intervalSeconds,
    lookbackSeconds: row.lookbackSeconds,
    status: row.status as ConnectorView['status'],
    lastPollAt: row.lastPollAt,
    lastSuccessAt: row.lastSuccessAt,
    cooldownUntil: row.cooldownUntil,
    watermark: row.watermark,
    fetched: row.fetched,
    totalFetched: row.totalFetched,
    message: row.message,
  };
}
