import type { AuditEntry, AuditLog } from '@riposte/audit';
import { assertClaimHeld, type Database, type EffectEntity, nowIso } from '@riposte/persistence';
import type { ActionRequest } from './action-result.js';
import type { EffectLedger } from './effect-ledger.js';

/**
 * Records an action's outcome: its audit record and, when it has one to settle, its effect's
 * settle, so that the record and the fact commit together. `settle`: the effect and its status
 * (null: nothing to settle: no ledger entry, or one left open); `ledgered`: the action has a
 * ledger entry (settled or not), whose claim a lone record checks too.
 */
export async function recordOutcome(
  parts: { db: Database; audit: AuditLog; ledger: EffectLedger },
  request: ActionRequest,
  settle: { effect: EffectEntity; status: 'succeeded' | 'failed' } | null,
  detail: Record<string, unknown>,
  entry: AuditEntry,
  ledgered: boolean,
): Promise<void> {
  const { db, audit, ledger } = parts;
  const claim = request.claim;
  // A playbook's journal, or a step list, writes the settle with the step's end (one statement).
  if (settle && request.carrySettle) {
    const { effect, status } = settle;
    request.carrySettle({
      effectId: effect.id,
      stepKey: request.stepKey,
      status,
      detail,
      settledAt: nowIso(),
      audit: entry,
    });
    return;
  }
  // The settle carries the audit record: one statement, a transaction by itself when the
  // writer is idle (SQLite). Otherwise, or when it wrote nothing, the transaction below.
  if (
    settle &&
    (await audit.appendAlone(entry, (record, headIs) =>
      ledger.settleAlone(settle.effect.id, settle.status, detail, claim, JSON.stringify(record), headIs),
    ))
  )
    return;
  await db.transaction(async (m) => {
    // A driver that lost the run records nothing: the settle (or, with an effect left open, a
    // check) is fenced by its claim and rolls the audit record back with it. Last in the
    // transaction: on PostgreSQL the run's row stays share-locked only until the commit.
    if (settle) {
      await audit.recordWith(entry, m, (record) =>
        ledger.settle(m, settle.effect.id, settle.status, detail, claim, record),
      );
      return;
    }
    await audit.record(entry, m);
    if (ledgered && claim) await assertClaimHeld(m, claim, (tx, sql, params) => db.all(tx, sql, params));
  });
}
