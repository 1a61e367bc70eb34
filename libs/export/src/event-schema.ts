import type { AlertEntity, AuditRecordEntity, EffectEntity, RunEntity } from '@riposte/persistence';
import { redactor } from '@riposte/observability';

/** The export stream's schema name and version: a consumer checks it before reading `data`. */
export const EVENT_SCHEMA = 'riposte.event/1';

export const EVENT_TYPES = ['alert.received', 'run.started', 'run.ended', 'effect.settled', 'audit.recorded'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * One event as every consumer receives it (pull feed line, syslog message body, HEC `event`,
 * Azure Monitor `Data`). Fields are only ever added within version 1; a change of meaning or a
 * removal is version 2. `id` is stable across re-deliveries: at-least-once consumers dedupe by it.
 */
export interface ExportEvent {
  schema: typeof EVENT_SCHEMA;
  seq: number;
  id: string;
  type: EventType;
  time: string;
  data: Record<string, unknown>;
}

/** An event before it has its place (`seq`) in the stream. */
export interface PendingEvent {
  key: string;
  type: EventType;
  at: string;
  data: Record<string, unknown>;
}

export function alertEvent(row: AlertEntity): PendingEvent {
  const n = row.normalized as Record<string, unknown>;
  return {
    key: `alert:${row.id}`,
    type: 'alert.received',
    at: row.receivedAt,
    data: {
      alertId: row.id,
      providerAlertId: row.providerAlertId,
      source: row.source,
      isUpdate: row.isUpdate,
      connectionTarget: row.connectionTarget,
      tenantId: row.tenantId,
      title: row.title,
      severity: row.severity,
      status: row.status,
      serviceSource: row.serviceSource,
      detectionSource: n.detectionSource ?? null,
      category: n.category ?? null,
      incidentId: n.incidentId ?? null,
      alertWebUrl: n.alertWebUrl ?? null,
      lastUpdateDateTime: row.lastUpdateDateTime,
      mitreTechniques: n.mitreTechniques ?? [],
      users: n.users ?? [],
      devices: n.devices ?? [],
      ips: n.ips ?? [],
      urls: n.urls ?? [],
      mailboxes: n.mailboxes ?? [],
      files: n.files ?? [],
      evidenceTypes: n.evidenceTypes ?? [],
    },
  };
}

function runCommon(row: RunEntity): Record<string, unknown> {
  return {
    runId: row.id,
    kind: row.kind,
    playbook: row.playbookId ? { id: row.playbookId, version: row.playbookVersion } : null,
    trigger: { type: row.triggerType, by: row.triggerBy, alertId: row.alertId },
    connectionTarget: row.connectionTarget,
    dryRun: row.dryRun,
    parentRunId: row.parentRunId,
    revertOf: row.revertOf,
    reason: row.reason,
  };
}

export function runStartedEvent(row: RunEntity): PendingEvent {
  return {
    key: `run.started:${row.id}`,
    type: 'run.started',
    at: row.createdAt,
    data: { ...runCommon(row), createdAt: row.createdAt },
  };
}

export function runEndedEvent(row: RunEntity): PendingEvent {
  return {
    key: `run.ended:${row.id}`,
    type: 'run.ended',
    at: row.endedAt as string,
    data: {
      ...runCommon(row),
      status: row.status,
      createdAt: row.createdAt,
      endedAt: row.endedAt,
      error: row.error ?? null,
    },
  };
}

export function effectEvent(row: EffectEntity): PendingEvent {
  return {
    key: `effect:${row.id}:${row.settledAt}`,
    type: 'effect.settled',
    at: row.settledAt as string,
    data: {
      effectId: row.id,
      runId: row.runId,
      step: row.stepKey,
      action: row.action,
      connectionTarget: row.connectionTarget,
      entity: row.entity,
      status: row.status,
      reference: row.reference,
      intendedAt: row.intendedAt,
      settledAt: row.settledAt,
      detail: row.detail ?? null,
    },
  };
}

export function auditEvent(row: AuditRecordEntity): PendingEvent {
  return {
    key: `audit:${row.id}`,
    type: 'audit.recorded',
    at: row.at,
    data: {
      auditId: row.id,
      auditSeq: row.seq,
      actor: row.actor,
      actorRole: row.actorRole,
      action: row.action,
      result: row.result,
      targetEntity: row.targetEntity,
      connectionTarget: row.connectionTarget,
      runId: row.runId,
      requestId: row.requestId,
      detail: row.detail ?? null,
      hash: row.hash,
    },
  };
}

/** The stored form of an event's data: scrubbed of any secret the redactor knows, once, on the way in. */
export function storedData(data: Record<string, unknown>): string {
  return JSON.stringify(redactor.redact(data));
}

export function toExportEvent(row: { seq: number; key: string; type: string; at: string; data: string }): ExportEvent {
  return {
    schema: EVENT_SCHEMA,
    seq: row.seq,
    id: row.key,
    type: row.type as EventType,
    time: row.at,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}
