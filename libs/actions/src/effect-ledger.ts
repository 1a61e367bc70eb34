import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, In, MoreThanOrEqual } from 'typeorm';
import type { IntentLimits } from '@riposte/guardrails';
import { Database, EffectEntity, nowIso } from '@riposte/persistence';

export type IntentResult =
  { effect: EffectEntity } | { over: 'budget'; used: number } | { over: 'blast_radius'; touched: number };
const COUNTED = ['intended', 'sent', 'succeeded'];

export type EffectStatus = 'intended' | 'sent' | 'succeeded' | 'failed';

type EffectKey = Pick<EffectEntity, 'runId' | 'stepKey' | 'action' | 'connectionTarget' | 'entity'>;

/**
 * The effect ledger (see EffectEntity). A row is written and committed before a destructive
 * call leaves; whoever finds it unsettled later must reconcile with Azure, not resend.
 */
@Injectable()
export class EffectLedger {
  constructor(private readonly db: Database) {}

  find(runId: string, stepKey: string): Promise<EffectEntity | null> {
    return this.db.reader.findOne(EffectEntity, { where: { runId, stepKey } });
  }

  /**
   * Records the intent; `previous` is this step's earlier entry (read with `find`), which is
   * replaced: an attempt that certainly failed gets a new intent. Limits are checked in the same
   * transaction, under a lock, so concurrent runs cannot all squeeze under a budget at once: the
   * first ones in take the budget, the rest are told it is used up.
   */
  async intend(effect: EffectKey, limits: IntentLimits, previous: EffectEntity | null): Promise<IntentResult> {
    const intent = {
      ...effect,
      status: 'intended',
      reference: null,
      detail: null,
      intendedAt: nowIso(),
      settledAt: null,
    };
    return this.db.transaction(async (m) => {
      const over = await this.overLimit(m, effect, limits);
      if (over) return over;
      if (previous) {
        await m.update(EffectEntity, { id: previous.id }, intent);
        return { effect: { ...previous, ...intent } };
      }
      const row: EffectEntity = { id: randomUUID(), ...intent };
      await m.insert(EffectEntity, row as never);
      return { effect: row };
    });
  }

  private async overLimit(m: EntityManager, effect: EffectKey, limits: IntentLimits): Promise<IntentResult | null> {
    // Counted then inserted: the lock (held until commit) keeps concurrent intents of other
    // transactions, in this process or another, from counting the same free places. Always taken
    // in this order (budget, then run), so two intents never wait for each other in a circle.
    if (limits.budget && !limits.exempt.budget)
      await Database.lock(m, `budget:${effect.action}:${effect.connectionTarget}`);
    if (!limits.exempt.blastRadius) await Database.lock(m, `blast-radius:${effect.runId}`);
    if (limits.budget && !limits.exempt.budget) {
      const since = new Date(Date.now() - limits.budget.windowMs).toISOString();
      const used = await m.count(EffectEntity, {
        where: {
          action: effect.action,
          connectionTarget: effect.connectionTarget,
          status: In(COUNTED),
          intendedAt: MoreThanOrEqual(since),
        },
      });
      if (used >= limits.budget.limit) return { over: 'budget', used };
    }
    if (!limits.exempt.blastRadius) {
      // Counted by the database: a run over a thousand users must not read its thousand rows per step.
      const again = await m.exists(EffectEntity, {
        where: { runId: effect.runId, entity: effect.entity, status: In(COUNTED) },
      });
      if (again) return null;
      const counted = await m
        .createQueryBuilder(EffectEntity, 'e')
        .select('COUNT(DISTINCT e.entity)', 'touched')
        .where('e.runId = :runId AND e.status IN (:...counted)', { runId: effect.runId, counted: COUNTED })
        .getRawOne<{ touched: number | string }>();
      const touched = Number(counted?.touched ?? 0);
      if (touched >= limits.maxEntities) return { over: 'blast_radius', touched };
    }
    return null;
  }

  async recordReference(id: string, reference: string): Promise<void> {
    await this.db.transaction((m) => m.update(EffectEntity, { id }, { status: 'sent', reference }));
  }

  /** Settles an effect, inside the caller's transaction (which also writes the audit record). */
  async settle(
    m: EntityManager,
    id: string,
    status: 'succeeded' | 'failed',
    detail: Record<string, unknown>,
  ): Promise<void> {
    await m.update(EffectEntity, { id }, { status, detail: detail as never, settledAt: nowIso() });
  }
}
