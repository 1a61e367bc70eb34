import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { LessThan, MoreThanOrEqual, type FindOptionsWhere } from 'typeorm';
import type { Principal } from '@riposte/auth';
import { ConnectionTargetsService } from '@riposte/connection-targets';
import { type ClaimedRun, PlaybookStore, RunScheduler, RunStore } from '@riposte/engine';
import { NotFoundError } from '@riposte/errors';
import { Metrics } from '@riposte/observability';
import { checkRunInputs, resolveValue } from '@riposte/playbooks';
import { parseDuration } from '@riposte/schema';
import { AlertEntity, Database, decodeCursor, encodeCursor, nowIso, type Page, RunEntity } from '@riposte/persistence';
import { normalizeAlerts } from './alert-normalizer.js';
import type { NormalizedAlert } from './normalized-alert.js';
import { alertMatches, triggerInputs } from './trigger-matcher.js';

export interface AlertOrigin {
  source: 'webhook' | 'poll';
  /** The connection target a polled alert came through. */
  connectionTarget?: string | null;
  principal: Pick<Principal, 'name' | 'role'>;
}

export interface IngestedAlert {
  id: string;
  providerAlertId: string;
  duplicate: boolean;
  update: boolean;
  runs: string[];
  skipped: { playbook: string; reason: string }[];
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  alerts: IngestedAlert[];
}

interface PlannedRun {
  playbookId: string;
  version: number;
  inputs: Record<string, unknown>;
  onUpdate: boolean;
  throttle: { key: string; windowMs: number } | null;
  connectionTarget: string | null;
  /** The trigger matched but its run cannot start (its inputs failed): recorded as a failed run, never dropped. */
  failure?: { code: string; message: string };
}

/**
 * Alerts in, playbook runs out. Each alert is stored and its runs created in one transaction:
 * a duplicate (same provider id and lastUpdateDateTime) fails the unique index and fires
 * nothing, however many copies arrive at once; a crash never leaves an alert without its runs.
 */
@Injectable()
export class AlertsService {
  private readonly logger = new Logger(AlertsService.name);

  constructor(
    private readonly db: Database,
    private readonly playbooks: PlaybookStore,
    private readonly runs: RunStore,
    private readonly scheduler: RunScheduler,
    private readonly targets: ConnectionTargetsService,
    private readonly metrics: Metrics,
  ) {}

  async ingest(payload: unknown, origin: AlertOrigin): Promise<IngestResult> {
    const { alerts } = normalizeAlerts(payload);
    const playbooks = await this.playbooks.enabled();
    const targets = await this.targets.list();
    const result: IngestResult = { accepted: 0, duplicates: 0, alerts: [] };
    for (const { normalized, raw } of alerts) {
      const id = randomUUID();
      const alert: NormalizedAlert = { ...normalized, id };
      const { planned, skipped } = await this.plan(alert, playbooks, origin, targets);
      const { stored, claimed } = await this.store(alert, raw, origin, planned, skipped);
      result.alerts.push(stored);
      if (stored.duplicate) result.duplicates += 1;
      else result.accepted += 1;
      for (const runId of stored.runs) this.scheduler.schedule(runId, 'playbook', claimed.get(runId));
    }
    return result;
  }

  async list(query: {
    limit: number;
    cursor?: string;
    since?: string;
    severity?: string;
  }): Promise<Page<Record<string, unknown>>> {
    const where: FindOptionsWhere<AlertEntity> = {};
    if (query.severity) where.severity = query.severity.toLowerCase();
    const after = decodeCursor(query.cursor, ['string', 'string']);
    if (query.since) where.receivedAt = MoreThanOrEqual(new Date(query.since).toISOString());
    const rows = await this.db.reader.find(AlertEntity, {
      where: after
        ? [
            { ...where, receivedAt: LessThan(after[0]) },
            { ...where, receivedAt: after[0], id: LessThan(after[1]) },
          ]
        : where,
      order: { receivedAt: 'DESC', id: 'DESC' },
      take: query.limit + 1,
    });
    const items = rows.slice(0, query.limit).map(view);
    const last = rows[query.limit - 1];
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor([last.receivedAt, last.id]) : null };
  }

  async get(id: string): Promise<Record<string, unknown>> {
    const row = await this.db.reader.findOne(AlertEntity, { where: { id } });
    if (!row) throw new NotFoundError('Alert', id);
    const runs = await this.db.reader.find(RunEntity, {
      where: { alertId: id },
      order: { createdAt: 'ASC' },
      select: { id: true, playbookId: true, status: true, createdAt: true },
    });
    return {
      ...view(row),
      raw: JSON.parse(row.raw) as unknown,
      runs: runs.map((r) => ({ id: r.id, playbook: r.playbookId, status: r.status, createdAt: r.createdAt })),
    };
  }

  /** Which playbooks this alert fires, with their inputs; decided before anything is written. */
  private async plan(
    alert: NormalizedAlert,
    playbooks: Awaited<ReturnType<PlaybookStore['enabled']>>,
    origin: AlertOrigin,
    targets: { name: string; tenantId: string }[],
  ) {
    const planned: PlannedRun[] = [];
    const skipped: IngestedAlert['skipped'] = [];
    for (const { row, playbook } of playbooks) {
      const { definition, compiled } = playbook;
      for (const [i, trigger] of definition.triggers.entries()) {
        const compiledTrigger = compiled.index.triggers[i];
        if (!compiledTrigger || !(await alertMatches(alert, trigger.alert, compiledTrigger.when))) continue;
        try {
          const inputs = checkRunInputs(definition, await triggerInputs(compiledTrigger.inputs, alert));
          const key = compiledTrigger.throttleKey
            ? await resolveValue(compiledTrigger.throttleKey, { alert })
            : undefined;
          planned.push({
            playbookId: row.id,
            version: row.currentVersion,
            inputs,
            onUpdate: trigger.onUpdate ?? false,
            throttle:
              trigger.throttle && key !== undefined && key !== null
                ? {
                    key: `${row.id}:${typeof key === 'string' ? key : JSON.stringify(key)}`.slice(0, 500),
                    windowMs: parseDuration(trigger.throttle.window),
                  }
                : null,
            connectionTarget: definition.connection ?? origin.connectionTarget ?? targetFor(alert, targets),
          });
        } catch (error) {
          const message = `The trigger matched, but its run could not start: ${(error as Error).message}`;
          skipped.push({ playbook: row.id, reason: `the trigger matched, but ${(error as Error).message}` });
          // Visible where analysts look (runs, the alert's runs), not only in the log.
          planned.push({
            playbookId: row.id,
            version: row.currentVersion,
            inputs: {},
            onUpdate: trigger.onUpdate ?? false,
            throttle: null,
            connectionTarget: null,
            failure: { code: 'trigger_failed', message: message.slice(0, 2000) },
          });
          this.logger.warn(
            { playbook: row.id, providerAlertId: alert.providerAlertId, err: error },
            'a matching trigger could not start its run',
          );
        }
        break; // one run per playbook per alert: the first matching trigger decides
      }
    }
    return { planned, skipped };
  }

  private async store(
    alert: NormalizedAlert,
    raw: unknown,
    origin: AlertOrigin,
    planned: PlannedRun[],
    skipped: IngestedAlert['skipped'],
  ): Promise<{ stored: IngestedAlert; claimed: Map<string, ClaimedRun> }> {
    const id = alert.id as string;
    const base = { id, providerAlertId: alert.providerAlertId };
    try {
      // Only database work in here: a transaction may be run again (see Database).
      const stored = await this.db.transaction(async (m) => {
        const runs: string[] = [];
        // Runs this process drives are created claimed for their driver (one statement fewer).
        const claimed = new Map<string, ClaimedRun>();
        const throttled: IngestedAlert['skipped'] = [];
        // Copies of one alert arriving at once (two nodes, a webhook racing the poller) are taken
        // one after the other: the second sees the first as an update or, if the same, a duplicate.
        await Database.lock(m, `alert:${alert.providerAlertId}`);
        // Whether it updates an alert already seen, and the insert, in one prepared statement.
        const inserted = await this.db.all<{ isUpdate: boolean | number }>(m, INSERT_ALERT_SQL, [
          id,
          alert.providerAlertId,
          alert.lastUpdateDateTime,
          origin.source,
          origin.connectionTarget ?? null,
          alert.tenantId,
          alert.severity.slice(0, 16),
          alert.status.slice(0, 32),
          alert.title.slice(0, 500),
          alert.serviceSource,
          nowIso(),
          JSON.stringify(alert),
          JSON.stringify(raw),
          alert.providerAlertId,
        ]);
        const update = Boolean(inserted[0]?.isUpdate);
        for (const run of planned) {
          if (update && !run.onUpdate) continue;
          // Checked then created: no other alert of the same key may do both in between.
          if (run.throttle) await Database.lock(m, `throttle:${run.throttle.key}`);
          if (
            run.throttle &&
            (await m.exists(RunEntity, {
              where: {
                throttleKey: run.throttle.key,
                createdAt: MoreThanOrEqual(new Date(Date.now() - run.throttle.windowMs).toISOString()),
              },
            }))
          ) {
            throttled.push({
              playbook: run.playbookId,
              reason: 'throttled: a run for the same key started within the window',
            });
            continue;
          }
          const token = this.scheduler.drivesHere() ? randomUUID() : undefined;
          const created = await this.runs.create(
            {
              kind: 'playbook',
              triggerType: 'alert',
              triggerBy: origin.principal.name,
              triggerRole: origin.principal.role,
              connectionTarget: run.connectionTarget,
              dryRun: false,
              input: { inputs: run.inputs, alert },
              playbookId: run.playbookId,
              playbookVersion: run.version,
              alertId: id,
              throttleKey: run.throttle?.key ?? null,
              failure: run.failure,
            },
            [],
            m,
            token,
          );
          runs.push(created.id);
          if (created.leaseOwner === token) claimed.set(created.id, this.runs.createdClaimed(created, token));
        }
        return { update, runs, throttled, claimed };
      });
      this.metrics.alerts.inc({ source: origin.source, result: stored.update ? 'update' : 'new' });
      return {
        stored: {
          ...base,
          runs: stored.runs,
          skipped: [...skipped, ...stored.throttled],
          duplicate: false,
          update: stored.update,
        },
        claimed: stored.claimed,
      };
    } catch (error) {
      if (!Database.isUniqueViolation(error)) throw error;
      this.metrics.alerts.inc({ source: origin.source, result: 'duplicate' });
      const duplicate = {
        ...base,
        id: await this.existingId(alert),
        runs: [],
        skipped: [],
        duplicate: true,
        update: false,
      };
      return { stored: duplicate, claimed: new Map() };
    }
  }

  private async existingId(alert: NormalizedAlert): Promise<string> {
    const row = await this.db.reader.findOne(AlertEntity, {
      where: { providerAlertId: alert.providerAlertId, lastUpdateDateTime: alert.lastUpdateDateTime },
      select: { id: true },
    });
    return row?.id ?? '';
  }
}

/**
 * An alert's row (`AlertEntity`), `isUpdate` true when the provider's alert was seen before
 * ($14 repeats $2: PostgreSQL deduces one type per parameter, and the two uses differ).
 */
const INSERT_ALERT_SQL = `INSERT INTO alerts (id, "providerAlertId", "lastUpdateDateTime", "isUpdate", source,
    "connectionTarget", "tenantId", severity, status, title, "serviceSource", "receivedAt", normalized, raw)
  SELECT $1, $2, $3, EXISTS (SELECT 1 FROM alerts WHERE "providerAlertId" = $14), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13
  RETURNING "isUpdate"`;

/** A run fired by an alert acts through the connection target of the alert's tenant, if one is known. */
function targetFor(alert: NormalizedAlert, targets: { name: string; tenantId: string }[]): string | null {
  const byTenant = alert.tenantId ? targets.filter((t) => t.tenantId === alert.tenantId) : [];
  if (byTenant.length === 1) return byTenant[0]!.name;
  return targets.length === 1 ? targets[0]!.name : null;
}

function view(row: AlertEntity): Record<string, unknown> {
  return {
    ...(row.normalized as object),
    id: row.id,
    source: row.source,
    connectionTarget: row.connectionTarget,
    isUpdate: row.isUpdate,
    receivedAt: row.receivedAt,
  };
}
