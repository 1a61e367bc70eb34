import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { Database, ApprovalHoldEntity, nowIso } from '@riposte/persistence';

/** Why a step is held: a budget used up, a run about to touch too many entities, automation paused. */
export type HoldKind = 'budget' | 'blast_radius' | 'paused';
export type HoldStatus = 'pending' | 'approved' | 'rejected';

/**
 * Steps held by a guardrail until someone decides (see ApprovalHoldEntity). A held run does not
 * wait in memory: it is parked, and driven again when its hold is decided.
 */
@Injectable()
export class ApprovalHolds {
  private readonly listeners: ((runIds: string[]) => void)[] = [];

  constructor(private readonly db: Database) {}

  /** The status of this step's hold of this kind, created pending if there is none yet. */
  async request(runId: string, stepKey: string, kind: HoldKind, prompt: string): Promise<HoldStatus> {
    const attempt = () =>
      this.db.transaction(async (m) => {
        const existing = await m.findOne(ApprovalHoldEntity, { where: { runId, stepKey, kind } });
        if (existing) return existing.status as HoldStatus;
        await m.insert(ApprovalHoldEntity, {
          id: randomUUID(),
          runId,
          stepKey,
          kind,
          prompt,
          status: 'pending',
          decidedBy: null,
          comment: null,
          createdAt: nowIso(),
          decidedAt: null,
        });
        return 'pending' as const;
      });
    try {
      return await attempt();
    } catch (error) {
      // Another driver of the run made the hold between our read and our insert: read it.
      if (!Database.isUniqueViolation(error)) throw error;
      return attempt();
    }
  }

  /** Approved holds that let a step (or, for blast radius, the whole run) go past a limit. */
  async approvals(runId: string, stepKey: string): Promise<{ budget: boolean; blastRadius: boolean }> {
    const rows = await this.db.reader.find(ApprovalHoldEntity, { where: { runId, status: 'approved' } });
    return {
      budget: rows.some((r) => r.kind === 'budget' && r.stepKey === stepKey),
      blastRadius: rows.some((r) => r.kind === 'blast_radius'),
    };
  }

  pending(runId: string): Promise<ApprovalHoldEntity[]> {
    return this.db.reader.find(ApprovalHoldEntity, {
      where: { runId, status: 'pending' },
      order: { createdAt: 'ASC' },
    });
  }

  /** The pending holds of several runs, oldest first (one query, for run lists). */
  pendingFor(runIds: string[]): Promise<ApprovalHoldEntity[]> {
    if (runIds.length === 0) return Promise.resolve([]);
    return this.db.reader.find(ApprovalHoldEntity, {
      where: { runId: In(runIds), status: 'pending' },
      order: { createdAt: 'ASC' },
    });
  }

  /** Records a decision; false if the step has no pending hold. */
  async decide(
    runId: string,
    stepKey: string,
    decision: 'approve' | 'reject',
    by: string,
    comment: string | null,
  ): Promise<boolean> {
    const decided = await this.db.transaction(async (m) => {
      let held = await m.find(ApprovalHoldEntity, { where: { runId, stepKey, status: 'pending' } });
      if (held.length === 0) return false;
      // The entity limit is the run's: one decision answers every step of the run held by it.
      if (held.some((h) => h.kind === 'blast_radius'))
        held = [
          ...held,
          ...(await m.find(ApprovalHoldEntity, { where: { runId, kind: 'blast_radius', status: 'pending' } })),
        ];
      // Still pending at the write: of two decisions made at once, the second changes nothing.
      const changed = await m.update(
        ApprovalHoldEntity,
        { id: In(held.map((h) => h.id)), status: 'pending' },
        { status: decision === 'approve' ? 'approved' : 'rejected', decidedBy: by, comment, decidedAt: nowIso() },
      );
      return (changed.affected ?? 0) > 0;
    });
    if (decided) this.notify([runId]);
    return decided;
  }

  /** Approves every hold of one kind (automation resumed); returns the runs to drive again. */
  async approveAll(kind: HoldKind, by: string): Promise<string[]> {
    const runIds = await this.db.transaction(async (m) => {
      const held = await m.find(ApprovalHoldEntity, {
        where: { kind, status: 'pending' },
        select: { id: true, runId: true },
      });
      if (held.length)
        await m.update(
          ApprovalHoldEntity,
          { id: In(held.map((h) => h.id)), status: 'pending' },
          { status: 'approved', decidedBy: by, decidedAt: nowIso() },
        );
      return [...new Set(held.map((h) => h.runId))];
    });
    if (runIds.length) this.notify(runIds);
    return runIds;
  }

  /** The engine drives decided runs again; guardrails do not know how runs are scheduled. */
  onDecided(listener: (runIds: string[]) => void): void {
    this.listeners.push(listener);
  }

  private notify(runIds: string[]): void {
    for (const listener of this.listeners) listener(runIds);
  }
}
