import {
  type AlertEntity,
  type AuditRecordEntity,
  type EffectEntity,
  fromBooleanColumn,
  fromJsonColumn,
  type RunEntity,
} from '@riposte/persistence';

/*
 * The export collector's statements: fixed SQL prepared once per connection (Database.all/run),
 * as the engine's hot path does. The collector reads every alert, run, effect and audit record
 * once, about a second after it is written: TypeORM's query building and entity hydration for
 * those rows cost about a tenth of the service's CPU under load, in one burst a second.
 * Columns are named (an alert's `raw` payload is never read here).
 */

/** The rows whose ids are in one JSON array parameter: one statement text whatever their number. */
function idsIn(postgres: boolean, n: number): string {
  return postgres
    ? `id IN (SELECT json_array_elements_text($${n}::json))`
    : `id IN (SELECT value FROM json_each($${n}))`;
}

const AUDIT_COLUMNS = `seq, id, at, actor, "actorRole", action, result, "targetEntity", "connectionTarget", "runId",
  "requestId", detail, "prevHash", hash`;
const ALERT_COLUMNS = `id, "providerAlertId", "lastUpdateDateTime", "isUpdate", source, "connectionTarget", "tenantId",
  severity, status, title, "serviceSource", "receivedAt", normalized`;
const RUN_COLUMNS = `id, kind, status, "playbookId", "playbookVersion", "triggerType", "triggerBy", "alertId",
  "revertOf", "parentRunId", "connectionTarget", "dryRun", reason, error, "createdAt", "endedAt"`;
const EFFECT_COLUMNS = `id, "runId", "stepKey", action, "connectionTarget", entity, status, reference, detail,
  "intendedAt", "settledAt"`;

export interface CollectorSql {
  positions: string;
  auditAfter: string;
  auditRecentIds: string;
  auditByIds: string;
  /** Per time source: ids and times from a time on, ids and times in a window, whole rows by id. */
  stamps: Record<string, { from: string; between: string; byIds: string }>;
  upsertPosition: string;
  /** The insert of `rows` events (1–100), skipping a key already in the stream. */
  insertEvents(rows: number): string;
}

/** The time sources' tables: the column that orders each, and which of its rows count. */
const TIME_TABLES: Record<string, { table: string; column: string; columns: string; where?: string }> = {
  alerts: { table: 'alerts', column: 'receivedAt', columns: ALERT_COLUMNS },
  'runs.started': { table: 'runs', column: 'createdAt', columns: RUN_COLUMNS },
  'runs.ended': { table: 'runs', column: 'endedAt', columns: RUN_COLUMNS },
  effects: {
    table: 'effects',
    column: 'settledAt',
    columns: EFFECT_COLUMNS,
    where: `status IN ('succeeded', 'failed')`,
  },
};

export function collectorSql(postgres: boolean): CollectorSql {
  const stamps: CollectorSql['stamps'] = {};
  for (const [name, { table, column, columns, where }] of Object.entries(TIME_TABLES)) {
    const also = where ? ` AND ${where}` : '';
    stamps[name] = {
      // `>= ''` is every row with a time (an empty text sorts before any ISO time; NULL matches nothing).
      from: `SELECT id, "${column}" AS at FROM ${table} WHERE "${column}" >= $1${also} ORDER BY "${column}" ASC LIMIT $2`,
      between: `SELECT id, "${column}" AS at FROM ${table} WHERE "${column}" >= $1 AND "${column}" < $2${also}`,
      byIds: `SELECT ${columns} FROM ${table} WHERE ${idsIn(postgres, 1)}`,
    };
  }
  const inserts = new Map<number, string>();
  return {
    positions: 'SELECT source, position FROM export_sources',
    auditAfter: `SELECT ${AUDIT_COLUMNS} FROM audit_records WHERE seq > $1 ORDER BY seq ASC LIMIT $2`,
    auditRecentIds: 'SELECT id FROM audit_records WHERE seq <= $1 AND at >= $2',
    auditByIds: `SELECT ${AUDIT_COLUMNS} FROM audit_records WHERE ${idsIn(postgres, 1)}`,
    stamps,
    upsertPosition: `INSERT INTO export_sources (source, position, "updatedAt") VALUES ($1, $2, $3)
  ON CONFLICT (source) DO UPDATE SET position = excluded.position, "updatedAt" = excluded."updatedAt"`,
    insertEvents(rows: number): string {
      let sql = inserts.get(rows);
      if (!sql) {
        const values = Array.from(
          { length: rows },
          (_, i) => `($${4 * i + 1}, $${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4})`,
        );
        sql = `INSERT INTO export_events ("key", type, at, data) VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`;
        inserts.set(rows, sql);
      }
      return sql;
    },
  };
}

/* A row read by these statements as the event builders take it (JSON parsed, 0/1 as booleans). */

export function decodeAlert(row: Record<string, unknown>): AlertEntity {
  return {
    ...(row as unknown as AlertEntity),
    isUpdate: fromBooleanColumn(row.isUpdate),
    normalized: fromJsonColumn(row.normalized) ?? {},
  };
}

export function decodeEffect(row: Record<string, unknown>): EffectEntity {
  return { ...(row as unknown as EffectEntity), detail: fromJsonColumn(row.detail) };
}

export function decodeAudit(row: Record<string, unknown>): AuditRecordEntity {
  return { ...(row as unknown as AuditRecordEntity), seq: Number(row.seq), detail: fromJsonColumn(row.detail) };
}

export function decodeRun(row: Record<string, unknown>): RunEntity {
  return {
    ...(row as unknown as RunEntity),
    playbookVersion: row.playbookVersion === null ? null : Number(row.playbookVersion),
    dryRun: fromBooleanColumn(row.dryRun),
    error: fromJsonColumn(row.error),
  };
}
