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
  fromJsonColumn,
  nowIso,
  type RunClaim,
  type SqlParam,
} from '@riposte/persistence';

export type IntentResult =
  { effect: EffectEntity } | { over: 'budget'; used: number } | { over: 'blast_radius'; touched: number };
const COUNTED = `'intended', 'sent', 'succeeded'`;

// The ledger's statements on the path of every destructive call: prepared once (see Database.run).
const FIND_SQL = `SELECT id, "runId", "stepKey", action, "connectionTarget", entity, status, reference, detail,
  "intendedAt", "settledAt" FROM effects WHERE "runId" = $1 AND "stepKey" = $2`;
// Counted up to the limit only: the cost of the check is bounded by the budget, not by the window's rows.
const BUDGET_SQL = `SELECT COUNT(*) AS used FROM (SELECT 1 FROM effects
  WHERE action = $1 AND "connectionTarget" = $2 AND status IN (${COUNTED}) AND "intendedAt" >= $3 LIMIT $4) counted`;
const BLAST_RADIUS_SQL = `SELECT COUNT(DISTINCT entity) AS touched, COUNT(CASE WHEN entity = $2 THEN 1 END) AS again
  FROM effects WHERE "runId" = $1 AND status IN (${COUNTED})`;
const SETTLE_SQL = 'UPDATE effects SET status = $1, detail = $2, "settledAt" = $3 WHERE id = $4';
/** The settle with its audit record, which the database appends to `audit_records` (SettleAudit1765010100000). */
const SETTLE_AUDITED_SQL = 'UPDATE effects SET status = $1, detail = $2, "settledAt" = $3, audit = $5 WHERE id = $4';
const REFERENCE_SQL = 'UPDATE effects SET status = $1, reference = $2 WHERE id = $3';

/**
 * A new intent with its limit checks in the same statement: inserted only if the action's budget
 * has room and the run may touch the entity (the same counts as BUDGET_SQL and BLAST_RADIUS_SQL).
 * One statement instead of one per limit plus the insert; a refusal (nothing inserted) then
 * reads which limit it was. One text per combination of limits checked. Every use of a value
 * has its own parameter (see `intendParams`): PostgreSQL deduces one type per parameter.
 */
function intendSql(budget: boolean, blastRadius: boolean): string {
  const key = `${budget}:${blastRadius}`;
  let sql = intendSqlCache.get(key);
  if (!sql) {
    let n = 8;
    const next = () => `$${++n}`;
    const checks: string[] = [];
    if (budget)
      checks.push(`(SELECT COUNT(*) FROM (SELECT 1 FROM effects WHERE action = ${next()} AND "connectionTarget" = ${next()}
    AND status IN (${COUNTED}) AND "intendedAt" >= ${next()} LIMIT ${next()}) counted) < ${next()}`);
    if (blastRadius)
      checks.push(`(EXISTS (SELECT 1 FROM effects WHERE "runId" = ${next()} AND entity = ${next()} AND status IN (${COUNTED}))
    OR (SELECT COUNT(DISTINCT entity) FROM effects WHERE "runId" = ${next()} AND status IN (${COUNTED})) < ${next()})`);
    sql = `INSERT INTO effects (id, "runId", "stepKey", action, "connectionTarget", entity, status, reference, detail,
  "intendedAt", "settledAt") SELECT $1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8, NULL${checks.length ? `\n  WHERE ${checks.join(' AND ')}` : ''}`;
    intendSqlCache.set(key, sql);
  }
  return sql;
}
const intendSqlCache = new Map<string, string>();

/** The parameters of `intendSql` after the row's eight, in the order of its checks. */
function intendParams(
  effect: EffectKey,
  budget: { limit: number; windowMs: number } | null,
  maxEntities: number | null,
): SqlParam[] {
  return [
    ...(budget
      ? [
          effect.action,
          effect.connectionTarget,
          new Date(Date.now() - budget.windowMs).toISOString(),
          budget.limit,
          budget.limit,
        ]
      : []),
    ...(maxEntities !== null ? [effect.runId, effect.entity, effect.runId, maxEntities] : []),
  ];
}

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
    return row ? { ...row, detail: fromJsonColumn(row.detail) } : null;
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
    // SQLite: the new intent's statement checks the limits and the claim itself, so it is a
    // transaction by itself (sent without BEGIN and COMMIT when the writer is idle). A refusal
    // goes the transactional way below, which counts again and says which limit it was.
    if (!previous && !this.postgres) {
      const { row, sql, params } = this.newIntent(intent, effect, limits, claim);
      if ((await this.db.runAlone(sql, params)) === 1) return { effect: row };
    }
    return this.db.transaction(async (m) => {
      if (previous) {
        const over = await this.overLimit(m, effect, limits);
        if (over) return over;
        if (claim) await assertClaimHeld(m, claim, (tx, sql, params) => this.db.all(tx, sql, params));
        await m.update(EffectEntity, { id: previous.id }, intent);
        return { effect: { ...previous, ...intent } };
      }
      // The locks first, as overLimit takes them: the counts and the insert are not interleaved.
      await this.lockLimits(m, effect, limits);
      // The claim: on SQLite checked in the INSERT itself (one statement on the hot path); on
      // PostgreSQL just before it, leaving the run's row share-locked until commit.
      if (claim && this.postgres) await assertClaimHeld(m, claim, (tx, sql, params) => this.db.all(tx, sql, params));
      const { row, sql, params } = this.newIntent(intent, effect, limits, claim);
      if ((await this.db.run(m, sql, params)) === 1) return { effect: row };
      // Refused by a limit (which one, counted again under the same locks), or else by the claim.
      const over = await this.overLimit(m, effect, limits, false);
      if (over) return over;
      if (claim && !this.postgres) throw new ClaimLost(claim.runId);
      throw new Error(`The intent of ${row.runId}/${row.stepKey} was refused, yet no limit is over.`);
    });
  }

  /** A new intent's row and its INSERT with the limit checks (and, on SQLite, the claim's). */
  private newIntent(
    intent: Omit<EffectEntity, 'id'>,
    effect: EffectKey,
    limits: IntentLimits,
    claim: RunClaim | undefined,
  ): { row: EffectEntity; sql: string; params: SqlParam[] } {
    const row: EffectEntity = { id: randomUUID(), ...intent };
    const budget = limits.budget && !limits.exempt.budget ? limits.budget : null;
    const blastRadius = !limits.exempt.blastRadius;
    const params: SqlParam[] = [
      row.id,
      row.runId,
      row.stepKey,
      row.action,
      row.connectionTarget,
      row.entity,
      row.status,
      row.intendedAt,
      ...intendParams(effect, budget, blastRadius ? limits.maxEntities : null),
    ];
    const sql = intendSql(budget !== null, blastRadius);
    if (!claim || this.postgres) return { row, sql, params };
    const where = sql.includes('\n  WHERE ') ? ' AND ' : ' WHERE ';
    return { row, sql: `${sql}${where}${claimHeld(false, claim, params)}`, params };
  }

  /**
   * The limits' locks (held until commit) keep concurrent intents of other transactions, in this
   * process or another, from counting the same free places. Always taken in this order (budget,
   * then run), so two intents never wait for each other in a circle.
   */
  private async lockLimits(m: EntityManager, effect: EffectKey, limits: IntentLimits): Promise<void> {
    if (limits.budget && !limits.exempt.budget)
      await Database.lock(m, `budget:${effect.action}:${effect.connectionTarget}`);
    if (!limits.exempt.blastRadius) await Database.lock(m, `blast-radius:${effect.runId}`);
  }

  private async overLimit(
    m: EntityManager,
    effect: EffectKey,
    limits: IntentLimits,
    lock = true,
  ): Promise<IntentResult | null> {
    // Counted then written, under the locks (see lockLimits).
    if (lock) await this.lockLimits(m, effect, limits);
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

  /**
   * Settles an effect with its audit record as a transaction by itself (see AuditLog.appendAlone):
   * the rows changed, 0 when the claim or the chain's head (`headIs`) no longer holds.
   */
  settleAlone(
    id: string,
    status: 'succeeded' | 'failed',
    detail: Record<string, unknown>,
    claim: RunClaim | undefined,
    audit: string,
    headIs: (params: SqlParam[]) => string,
  ): Promise<number> {
    const params: SqlParam[] = [status, JSON.stringify(detail), nowIso(), id, audit];
    let sql = SETTLE_AUDITED_SQL;
    if (claim) sql += ` AND ${claimHeld(this.postgres, claim, params)}`;
    sql += ` AND ${headIs(params)}`;
    return this.db.runAlone(sql, params);
  }

  /**
   * Settles an effect, inside the caller's transaction; `audit`: its audit record, written by the
   * same statement (see AuditLog.recordWith).
   */
  async settle(
    m: EntityManager,
    id: string,
    status: 'succeeded' | 'failed',
    detail: Record<string, unknown>,
    claim?: RunClaim,
    audit?: string,
  ): Promise<void> {
    const params: SqlParam[] = [status, JSON.stringify(detail), nowIso(), id];
    if (audit !== undefined) params.push(audit);
    const settle = audit === undefined ? SETTLE_SQL : SETTLE_AUDITED_SQL;
    const sql = claim ? `${settle} AND ${claimHeld(this.postgres, claim, params)}` : settle;
    if ((await this.db.run(m, sql, params)) === 0 && claim) throw new ClaimLost(claim.runId);
  }
}
