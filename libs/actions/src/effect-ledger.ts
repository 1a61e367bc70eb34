import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database, EffectEntity, nowIso } from '@riposte/persistence';

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

  /** Records the intent; a previous attempt that certainly failed is replaced by a new intent. */
  async intend(effect: { runId: string; stepKey: string; action: string; connectionTarget: string; entity: string }): Promise<EffectEntity> {
    return this.db.transaction(async (m) => {
      const existing = await m.findOne(EffectEntity, { where: { runId: effect.runId, stepKey: effect.stepKey } });
      const row: EffectEntity = existing ?? { id: randomUUID(), ...effect, status: 'intended', reference: null, detail: null, intendedAt: nowIso(), settledAt: null };
      if (existing) Object.assign(row, { ...effect, status: 'intended', reference: null, detail: null, intendedAt: nowIso(), settledAt: null });
      await m.save(EffectEntity, row);
      return row;
    });
  }

  async recordReference(id: string, reference: string): Promise<void> {
    await this.db.transaction((m) => m.update(EffectEntity, { id }, { status: 'sent', reference }));
  }

  /** Settles an effect, inside the caller's transaction (which also writes the audit record). */
  async settle(m: EntityManager, id: string, status: 'succeeded' | 'failed', detail: Record<string, unknown>): Promise<void> {
    await m.update(EffectEntity, { id }, { status, detail: detail as never, settledAt: nowIso() });
  }
}
