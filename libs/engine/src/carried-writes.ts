import type { CarriedSettle } from '@riposte/actions';
import type { AuditLog, HeadIs } from '@riposte/audit';
import type { Database, SqlParam, StepEntity } from '@riposte/persistence';
import { json, type RunSet, STEP_COLUMNS, STEP_JSON } from './run-rows.js';
import type { RunLease, RunStore } from './run-store.js';

/*
 * What a fenced write of a run carries in its `journal` column, for the database's trigger to
 * write in the same statement (RunJournal1765010000000, JournalSettles1765010200000): step rows
 * (whole), timeline events, and the settles of effects with their audit records.
 */

/** A step row's columns as the journal carries them: without the run's id. */
const JOURNAL_STEP_COLUMNS = STEP_COLUMNS.filter((c) => c !== 'runId');

export function journalStep(row: StepEntity): SqlParam[] {
  return JOURNAL_STEP_COLUMNS.map((c) => (STEP_JSON.has(c) ? json(row[c]) : (row[c] as SqlParam)));
}

/** The journal column's text; `audits`: the settles' audit records, linked to the chain (see writeWithSettles). */
export function journalText(
  steps: SqlParam[][],
  events: SqlParam[][],
  settles: CarriedSettle[],
  audits: SqlParam[][],
): string {
  const carried: unknown[] = [steps, events];
  if (settles.length)
    carried.push(
      settles.map((s) => [s.effectId, s.status, JSON.stringify(s.detail), s.settledAt]),
      audits,
    );
  return JSON.stringify(carried);
}

/**
 * A fenced write of the run carrying settles: `set` gets their audit records linked to the
 * chain's head where they are written. One statement checking the head when the writer is idle
 * (see AuditLog.appendAllAlone), else a transaction that reads the head first. StaleRun when
 * the claim no longer holds.
 */
export async function writeWithSettles(
  parts: { db: Database; store: RunStore; audit: AuditLog },
  lease: RunLease,
  settles: CarriedSettle[],
  set: (audits: SqlParam[][]) => RunSet,
  /** The claim is let go with the write (the run's end). */
  release = false,
): Promise<void> {
  const { db, store, audit } = parts;
  const entries = settles.map((settle) => settle.audit);
  if (entries.length === 0) return store.fencedAlone(lease, set([]), release);
  const alone = (audits: SqlParam[][], headIs: HeadIs) => store.fencedAloneIf(lease, set(audits), headIs, release);
  if (await audit.appendAllAlone(entries, alone)) return;
  // Not written alone (the writer busy, the chain's head moved, or the fence refused it).
  await db.transaction(async (m) => store.fenced(m, lease, set(await audit.linkWithin(entries, m)), release));
}
