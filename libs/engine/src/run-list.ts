import { And, LessThan, MoreThanOrEqual, type EntityManager, type FindOperator, type FindOptionsWhere } from 'typeorm';
import { decodeCursor, encodeCursor, type Page, RunEntity } from '@riposte/persistence';
import type { RunStatus, RunSummary } from './run-model.js';
import { toSummary } from './run-views.js';

/** The filters and page of `GET /api/v1/runs`. */
export interface RunQuery {
  limit: number;
  cursor?: string;
  status?: RunStatus;
  playbook?: string;
  alert?: string;
  connectionTarget?: string;
  /** Created at or after this time (ISO 8601). */
  from?: string;
  /** Created before this time (ISO 8601). */
  to?: string;
}

/** A page of runs, newest first, filtered; the cursor is the last run's creation time and id. */
export async function listRuns(reader: EntityManager, query: RunQuery): Promise<Page<RunSummary>> {
  const where: FindOptionsWhere<RunEntity> = {};
  if (query.status) where.status = query.status;
  if (query.playbook) where.playbookId = query.playbook;
  if (query.alert) where.alertId = query.alert;
  if (query.connectionTarget) where.connectionTarget = query.connectionTarget;
  const after = decodeCursor(query.cursor, ['string', 'string']);
  // Times are stored as ISO strings with milliseconds: bounds in the same form compare in order.
  const created = (extra?: FindOperator<string>) => {
    const bounds = [
      ...(query.from ? [MoreThanOrEqual(new Date(query.from).toISOString())] : []),
      ...(query.to ? [LessThan(new Date(query.to).toISOString())] : []),
      ...(extra ? [extra] : []),
    ];
    return bounds.length > 1 ? And(...bounds) : bounds[0];
  };
  const range = created();
  if (range) where.createdAt = range;
  // Newest first; the id breaks ties between runs created in the same millisecond.
  const rows = await reader.find(RunEntity, {
    where: after
      ? [
          { ...where, createdAt: created(LessThan(after[0])) },
          { ...where, createdAt: after[0], id: LessThan(after[1]) },
        ]
      : where,
    order: { createdAt: 'DESC', id: 'DESC' },
    take: query.limit + 1,
  });
  const items = rows.slice(0, query.limit).map(toSummary);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor([last.createdAt, last.id]) : null };
}
