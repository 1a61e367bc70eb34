import type { EntityManager } from 'typeorm';
import type { SqlParam } from './prepared-statements.js';

/**
 * A driver's claim on a run: the lease token it wrote on the run's row. Writes that belong to
 * the run (its steps, its effect ledger) count only while the run still carries this token, so a
 * driver that lost its claim (a takeover after a stall) writes nothing that counts.
 */
export interface RunClaim {
  runId: string;
  token: string;
  /**
   * Queue mode: the claim must also hold at least this long (ms) past the write, the same margin
   * within which no Azure call is sent. A worker whose claim is about to run out, or ran out with
   * no one taking the run yet, is stale too. Absent in the embedded mode: the token alone fences.
   */
  marginMs?: number;
}

/** Thrown when a write fenced by a claim found the run no longer held by it: the driver stops. */
export class ClaimLost extends Error {
  constructor(readonly runId: string) {
    super(`Run ${runId} is no longer held by this driver: a stale write was refused.`);
    this.name = 'ClaimLost';
  }
}

/**
 * SQL that is true while `claim` still holds, for a statement's WHERE; its parameters are pushed
 * onto `params`. On PostgreSQL the run's row is share-locked, so a takeover (which updates it)
 * waits for the write to commit, or the write sees the takeover: never both.
 */
export function claimHeld(postgres: boolean, claim: RunClaim, params: SqlParam[]): string {
  params.push(claim.runId, claim.token);
  let sql = `EXISTS (SELECT 1 FROM runs WHERE id = $${params.length - 1} AND "leaseOwner" = $${params.length}`;
  if (claim.marginMs !== undefined) {
    params.push(new Date(Date.now() + claim.marginMs).toISOString());
    sql += ` AND "leaseUntil" > $${params.length}`;
  }
  return `${sql}${postgres ? ' FOR SHARE' : ''})`;
}

/** Inside a transaction: goes on only while `claim` holds (see `claimHeld`), else ClaimLost. */
export async function assertClaimHeld(
  m: EntityManager,
  claim: RunClaim,
  all: (m: EntityManager, sql: string, params: readonly SqlParam[]) => Promise<unknown[]>,
): Promise<void> {
  const params: SqlParam[] = [];
  const postgres = m.connection.options.type === 'postgres';
  const rows = await all(m, `SELECT ${claimHeld(postgres, claim, params)} AS held`, params);
  const held = (rows[0] as { held?: unknown } | undefined)?.held;
  if (!(held === true || held === 1 || held === '1' || held === 't')) throw new ClaimLost(claim.runId);
}
