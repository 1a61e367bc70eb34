import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { IntentLimits } from '@riposte/guardrails';
import {
  assertClaimHeld,
  ClaimLost,
  claimHeld,
  Database,
  EffectEntity,
  nowIso,
  type RunClaim,
  type SqlParam,
} from '@riposte/persistence';

export type IntentResult =
  { effect: EffectEntity } | { over: 'budget'; used: number } | { over: 'blast_radius'; touched: number };
const COUNTED = `'intended', 'sent', 'succeeded'`;

// The ledger's statements on the path of every destructive call: prepared once (see Database.run).
const FIND_SQL = 'SELECT * FROM effects WHERE "runId" = $1 AND "stepKey" = $2';
const INSERT_SQL = `INSERT INTO effects (id, "runId", "stepKey", action, "connectionTarget", entity, status, reference,
  detail, "intendedAt", "settledAt") VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8, NULL)`;
const INSERT_IF_SQL = `INSERT INTO effects (id, "runId", "stepKey", action, "connectionTarget", entity, status, reference,
  detail, "intendedAt", "settledAt") SELECT $1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8, NULL`;
// Counted up to the limit only: the cost of the check is bounded by the budget, not by the window's rows.
const BUDGET_SQL = `SELECT COUNT(*) AS used FROM (SELECT 1 FROM effects
  WHERE action = $1 AND "connectionTarget" = $2 AND status IN (${COUNTED}) AND "intendedAt" >= $3 LIMIT $4) counted`;
const BLAST_RADIUS_SQL = `SELECT COUNT(DISTINCT entity) AS touched, COUNT(CASE WHEN entity = $2 THEN 1 END) AS again
  FROM effects WHERE "runId" = $1 AND status IN (${COUNTED})`;
const SETTLE_SQL = 'UPDATE effects SET status = $1, detail = $2, "settledAt" = $3 WHERE id = $4';
const REFERENCE_SQL = 'UPDATE effects SET status = $1, reference = $2 WHERE id = $3';

export type EffectStatus = 'intended' | 'sent' | 'succeeded' | 'failed';

type EffectKey = Pick<EffectEntity, 'runId' | 'stepKey' | 'action' | 'connectionTarget' | 'entity'>;

/**
 * The effect ledger (see EffectEntity). A row is written and committed before a destructive
 * call leaves; whoever finds it unsettled later must reconcile with Azure, not resend.
 *
 * Writes made for a run's driver carry its claim (`RunClaim`): they count only while the run is
 * still claimed by that driver (else ClaimLost and nothing is written), so a worker that lost its
 * run to another (a stall, a takeover) can neither record an intent, and so send a call, nor
 * settle an effect the taker reconciles.
 */
@Injectable()
export class EffectLedger {
  private readonly postgres: boolean;

  constructor(private readonly db: Database) {
    this.postgres = db.dataSource.options.type === 'postgres';
  }

  async find(runId: string, stepKey: string): Promise<EffectEntity | null> {
    const row = (await this.db.all<EffectEntity>(this.db.reader, FIND_SQL, [runId, stepKey]))[0];
    return row ? { ...row, detail: typeof row.detail === 'string' ? JSON.parse(row.detail) : row.detail } : null;
  }

  /**
   * Records the intent; `previous` is this step's earlier entry (read with `find`), which is
   * replaced: an attempt that certainly failed gets a new intent. Limits are checked in the same
   * transaction, under a lock, so concurrent runs cannot all squeeze under a budget at once: the
   * first ones in take the budget, the rest are told it is used up.
   */
  async intend(
    effect: EffectKey,
    limits: IntentLimits,
    previous: EffectEntity | null,
    claim?: RunClaim,
  ): Promise<IntentResult> {
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
      // A new intent on SQLite: the claim is checked in the INSERT itself (one statement on the hot path).
      const inInsert = claim && !previous && !this.postgres;
      // Otherwise checked last, just before the write: on PostgreSQL the run's row stays share-locked until commit.
      if (claim && !inInsert) await assertClaimHeld(m, claim, (tx, sql, params) => this.db.all(tx, sql, params));
      if (previous) {
        await m.update(EffectEntity, { id: previous.id }, intent);
        return { effect: { ...previous, ...intent } };
      }
      const row: EffectEntity = { id: randomUUID(), ...intent };
      const params: SqlParam[] = [
        row.id,
        row.runId,
        row.stepKey,
        row.action,
        row.connectionTarget,
        row.entity,
        row.status,
        row.intendedAt,
      ];
      if (!inInsert) await this.db.run(m, INSERT_SQL, params);
      else if ((await this.db.run(m, `${INSERT_IF_SQL} WHERE ${claimHeld(false, claim, params)}`, params)) === 0)
        throw new ClaimLost(claim.runId);
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
      const rows = await this.db.all<{ used: number | string }>(m, BUDGET_SQL, [
        effect.action,
        effect.connectionTarget,
        since,
        limits.budget.limit,
      ]);
      const used = Number(rows[0]?.used ?? 0);
      if (used >= limits.budget.limit) return { over: 'budget', used };
    }
    if (!limits.exempt.blastRadius) {
      // Counted by the database, in one statement: a run over a thousand users must not read its
      // thousand rows per step; an entity the run already touched does not count again.
      const rows = await this.db.all<{ touched: number | string; again: number | string }>(m, BLAST_RADIUS_SQL, [
        effect.runId,
        effect.entity,
      ]);
      if (Number(rows[0]?.again ?? 0) > 0) return null;
      const touched = Number(rows[0]?.touched ?? 0);
      if (touched >= limits.maxEntities) return { over: 'blast_radius', touched };
    }
    return null;
  }

  async recordReference(id: string, reference: string, claim?: RunClaim): Promise<void> {
    const params: SqlParam[] = ['sent', reference, id];
    const sql = `${REFERENCE_SQL}${claim ? ` AND ${claimHeld(this.postgres, claim, params)}` : ''}`;
    await this.db.transaction(async (m) => {
      if ((await this.db.run(m, sql, params)) === 0 && claim) throw new ClaimLost(claim.runId);
    });
  }

  /** Settles an effect, inside the caller's transaction (which also writes the audit record). */
  async settle(
    m: EntityManager,
    id: string,
    status: 'succeeded' | 'failed',
    detail: Record<string, unknown>,
    claim?: RunClaim,
  ): Promise<void> {
    const params: SqlParam[] = [status, JSON.stringify(detail), nowIso(), id];
    const sql = claim ? `${SETTLE_SQL} AND ${claimHeld(this.postgres, claim, params)}` : SETTLE_SQL;
    if ((await this.db.run(m, sql, params)) === 0 && claim) throw new ClaimLost(claim.runId);
  }
}
