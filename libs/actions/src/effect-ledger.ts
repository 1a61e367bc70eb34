import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type EntityManager, In, MoreThanOrEqual } from 'typeorm';
import type { IntentLimits } from '@riposte/guardrails';
import { Database, EffectEntity, nowIso } from '@riposte/persistence';

export type IntentResult = { effect: EffectEntity } | { over: 'budget'; used: number } | { over: 'blast_radius'; touched: number };
const COUNTED = ['intended', 'sent', 'succeeded'];

export type EffectStatus = 'intended' | 'sent' | 'succeeded' | 'failed';

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
   * Records the intent; a previous attempt that certainly failed is replaced by a new intent.
   * Limits are checked in the same transaction, so concurrent runs cannot all squeeze under a
   * budget at once: the first ones in take the budget, the rest are told it is used up.
   */
  async intend(effect: { runId: string; stepKey: string; action: string; connectionTarget: string; entity: string }, limits?: IntentLimits): Promise<IntentResult> {
    return this.db.transaction(async (m) => {
      if (limits) {
        const over = await this.overLimit(m, effect, limits);
        if (over) return over;
      }
      const existing = await m.findOne(EffectEntity, { where: { runId: effect.runId, stepKey: effect.stepKey } });
      const row: EffectEntity = existing ?? { id: randomUUID(), ...effect, status: 'intended', reference: null, detail: null, intendedAt: nowIso(), settledAt: null };
      if (existing) Object.assign(row, { ...effect, status: 'intended', reference: null, detail: null, intendedAt: nowIso(), settledAt: null });
      await m.save(EffectEntity, row);
      return { effect: row };
    });
  }

  private async overLimit(m: EntityManager, effect: { runId: string; stepKey: string; action: string; connectionTarget: string; entity: string }, limits: IntentLimits): Promise<IntentResult | null> {
    if (limits.budget && !limits.exempt.budget) {
      const since = new Date(Date.now() - limits.budget.windowMs).toISOString();
      const used = await m.count(EffectEntity, { where: { action: effect.action, connectionTarget: effect.connectionTarget, status: In(COUNTED), intendedAt: MoreThanOrEqual(since) } });
      if (used >= limits.budget.limit) return { over: 'budget', used };
    }
    if (!limits.exempt.blastRadius) {
      const rows = await m.find(EffectEntity, { where: { runId: effect.runId, status: In(COUNTED) }, select: { entity: true } });
      const touched = new Set(rows.map((r) => r.entity));
      if (!touched.has(effect.entity) && touched.size >= limits.maxEntities) return { over: 'blast_radius', touched: touched.size };
    }
    return null;
  }

  async recordReference(id: string, reference: string): Promise<void> {
    await this.db.transaction((m) => m.update(EffectEntity, { id }, { status: 'sent', reference }));
  }

  /** Settles an effect, inside the caller's transaction (which also writes the audit record). */
  async settle(m: EntityManager, id: string, status: 'succeeded' | 'failed', detail: Record<string, unknown>): Promise<void> {
    await m.update(EffectEntity, { id }, { status, detail: detail as never, settledAt: nowIso() });
  }
}
