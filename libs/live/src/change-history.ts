import { Inject, Injectable } from '@nestjs/common';
import { Database, EffectEntity, type Page, decodeCursor, encodeCursor } from '@riposte/persistence';

export interface ChangeView {
  id: string;
  runId: string;
  step: string;
  action: string;
  connectionTarget: string;
  entity: string;
  /** intended → sent → succeeded | failed */
  status: string;
  at: string;
  settledAt: string | null;
}

export interface ChangeQuery {
  limit: number;
  cursor?: string;
  entity?: string;
  action?: string;
  run?: string;
}

/**
 * Every destructive change Riposte made or tried, newest first, read from the effect ledger
 * (which the action runner owns and writes; this only reads it) for the action center.
 */
@Injectable()
export class ChangeHistory {
  constructor(@Inject(Database) private readonly db: Database) {}

  async list(query: ChangeQuery): Promise<Page<ChangeView>> {
    const q = this.db.reader
      .createQueryBuilder(EffectEntity, 'e')
      .orderBy('e.intendedAt', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .take(query.limit + 1);
    if (query.entity)
      q.andWhere('LOWER(e.entity) LIKE :entity', { entity: `%${query.entity.toLowerCase().replace(/[%_]/g, '')}%` });
    if (query.action) q.andWhere('e.action = :action', { action: query.action });
    if (query.run) q.andWhere('e.runId = :run', { run: query.run });
    const after = decodeCursor(query.cursor, ['string', 'string'] as const);
    if (after)
      q.andWhere('(e.intendedAt < :at OR (e.intendedAt = :at AND e.id < :id))', { at: after[0], id: after[1] });
    const rows = await q.getMany();
    const items = rows.slice(0, query.limit).map((e) => ({
      id: e.id,
      runId: e.runId,
      step: e.stepKey,
      action: e.action,
      connectionTarget: e.connectionTarget,
      entity: e.entity,
      status: e.status,
      at: e.intendedAt,
      settledAt: e.settledAt,
    }));
    const last = items.at(-1);
    return { items, nextCursor: rows.length > query.limit && last ? encodeCursor([last.at, last.id]) : null };
  }
}
