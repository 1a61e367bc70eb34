import { randomUUID } from 'node:crypto';
import {
  fromBooleanColumn,
  fromJsonColumn,
  nowIso,
  type RunClaim,
  type RunEntity,
  type SqlParam,
  type StepEntity,
} from '@riposte/persistence';
import type { NewStep, RunStatus } from './run-model.js';
import { FINISHED_RUN_STATUSES, UNFINISHED_RUN_STATUSES } from '@riposte/vocabulary';

/*
 * How runs are kept as rows: the hot path's SQL text (fixed, prepared once per connection by
 * Database.run/all) and the conversions between rows and values. Written through RunStore only.
 */

const OPEN = UNFINISHED_RUN_STATUSES.map((status) => `'${status}'`).join(', ');

export const RUN_COLUMNS = [
  'id',
  'kind',
  'status',
  'playbookId',
  'playbookVersion',
  'triggerType',
  'triggerBy',
  'triggerRole',
  'alertId',
  'revertOf',
  'parentRunId',
  'parentStepKey',
  'throttleKey',
  'wakeAt',
  'waits',
  'version',
  'leaseOwner',
  'leaseUntil',
  'connectionTarget',
  'dryRun',
  'reason',
  'input',
  'output',
  'error',
  'snapshot',
  'createdAt',
  'startedAt',
  'endedAt',
] as const satisfies readonly (keyof RunEntity)[];
export const INSERT_RUN_SQL = `INSERT INTO runs (${RUN_COLUMNS.map((c) => `"${c}"`).join(', ')})
  VALUES (${RUN_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

/** The run's columns, named: `runs.journal` is the journal's, never read (see RunJournal1765010000000). */
const RUN_SELECT = RUN_COLUMNS.map((c) => `"${c}"`).join(', ');
export const SELECT_RUN_SQL = `SELECT ${RUN_SELECT} FROM runs WHERE id = $1`;

export const CLAIM_SQL = `UPDATE runs SET "leaseOwner" = $1, "leaseUntil" = $2, "version" = "version" + 1
  WHERE id = $3 AND status IN (${OPEN}) AND ("leaseOwner" IS NULL OR "leaseUntil" < $4)`;
export const CLAIM_TO_DRIVE_SQL = `UPDATE runs SET "leaseOwner" = $1, "leaseUntil" = $2, "version" = "version" + 1,
  status = 'running', "startedAt" = COALESCE("startedAt", $4)
  WHERE id = $3 AND status IN (${OPEN}) AND ("leaseOwner" IS NULL OR "leaseUntil" < $4) RETURNING ${RUN_SELECT}`;
export const RELEASE_SQL = `UPDATE runs SET "leaseOwner" = NULL, "leaseUntil" = NULL WHERE id = $1 AND "leaseOwner" = $2`;

/** A `simple-json` column's text (as TypeORM writes it). */
export function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** A row of `runs` read with plain SQL, as TypeORM would give it. */
export function runFromRow(row: Record<string, unknown>): RunEntity {
  return {
    ...(row as unknown as RunEntity),
    playbookVersion: row.playbookVersion === null ? null : Number(row.playbookVersion),
    version: Number(row.version),
    dryRun: fromBooleanColumn(row.dryRun),
    input: fromJsonColumn(row.input),
    output: fromJsonColumn(row.output),
    error: fromJsonColumn(row.error),
  };
}

/** A step's columns, in the order `steps` is read and a run's first steps are inserted. */
export const STEP_COLUMNS = [
  'id',
  'runId',
  'position',
  'stepKey',
  'stepId',
  'action',
  'connectionTarget',
  'status',
  'attempts',
  'input',
  'output',
  'error',
  'startedAt',
  'endedAt',
] as const satisfies readonly (keyof StepEntity)[];
export const STEP_JSON = new Set<string>(['input', 'output', 'error']);
export const STEPS_OF_RUN_SQL = `SELECT ${STEP_COLUMNS.map((c) => `"${c}"`).join(', ')} FROM steps WHERE "runId" = $1 ORDER BY position ASC`;
export const INSERT_STEP_SQL = `INSERT INTO steps (${STEP_COLUMNS.map((c) => `"${c}"`).join(', ')})
  VALUES (${STEP_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

/** A step row's values for INSERT_STEP_SQL (JSON as text). */
export function stepParams(row: StepEntity): (string | number | null)[] {
  return STEP_COLUMNS.map((c) => (STEP_JSON.has(c) ? json(row[c]) : (row[c] as string | number | null)));
}

/** A row of `steps` read with plain SQL, as TypeORM would give it. */
export function stepFromRow(row: Record<string, unknown>): StepEntity {
  return {
    ...(row as unknown as StepEntity),
    position: Number(row.position),
    attempts: Number(row.attempts),
    input: fromJsonColumn(row.input),
    output: fromJsonColumn(row.output),
    error: fromJsonColumn(row.error),
  };
}

/** The row of a step a run is created with (a simple response's steps are known up front). */
export function newStepRow(runId: string, step: NewStep, position: number): StepEntity {
  return {
    id: randomUUID(),
    runId,
    position,
    stepKey: step.stepKey,
    stepId: step.stepId ?? step.stepKey,
    action: step.action,
    connectionTarget: step.connectionTarget ?? null,
    status: 'pending',
    attempts: 0,
    input: step.input,
    output: null,
    error: null,
    startedAt: null,
    endedAt: null,
  };
}

/** In a fenced write: the column keeps the time it has, or gets now (a run's first start). */
export const FIRST_TIME = Symbol('first time');

/** The columns a fenced write may set. */
export type RunSet = Partial<{
  status: RunStatus;
  output: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  snapshot: string | null;
  /** A journal write's step rows and events, written into `steps` and `run_events` by the database (RunJournal1765010000000). */
  journal: string;
  wakeAt: string | null;
  waits: string | null;
  endedAt: string;
  startedAt: typeof FIRST_TIME;
}>;

/**
 * The fenced write of a run (see RunStore.fenced): `set`'s columns, the lease extended by `leaseMs`
 * (or let go with `release`), counted only while `lease` holds the run.
 */
export function fencedRunWrite(
  lease: RunClaim,
  set: RunSet,
  release: boolean,
  leaseMs: number,
): { sql: string; params: SqlParam[] } {
  const columns = Object.keys(set) as (keyof RunSet)[];
  const params: SqlParam[] = [];
  const assignments = columns.map((column) => {
    const value = set[column];
    if (value === FIRST_TIME) {
      params.push(nowIso());
      return `"${column}" = COALESCE("${column}", $${params.length})`;
    }
    params.push(column === 'output' || column === 'error' ? json(value) : ((value ?? null) as SqlParam));
    return `"${column}" = $${params.length}`;
  });
  if (release) assignments.push('"leaseOwner" = NULL', '"leaseUntil" = NULL');
  else {
    params.push(new Date(Date.now() + leaseMs).toISOString());
    assignments.push(`"leaseUntil" = $${params.length}`);
  }
  params.push(lease.runId, lease.token);
  let sql = `UPDATE runs SET ${assignments.join(', ')}, "version" = "version" + 1 WHERE id = $${params.length - 1} AND "leaseOwner" = $${params.length}`;
  // Queue mode: a claim about to run out (or run out, the run not taken yet) is stale too.
  if (lease.marginMs !== undefined) {
    params.push(new Date(Date.now() + lease.marginMs).toISOString());
    sql += ` AND "leaseUntil" > $${params.length}`;
  }
  return { sql, params };
}

export function isEnd(status: RunStatus): boolean {
  return FINISHED_RUN_STATUSES.includes(status);
}

/** A transition's columns; the first start is kept (FIRST_TIME), so a resumed run needs no read first. */
export function transitionSet(
  status: RunStatus,
  fields: Partial<Pick<RunEntity, 'output' | 'error' | 'snapshot'>> & Pick<RunSet, 'journal' | 'startedAt'>,
): RunSet {
  return {
    status,
    ...fields,
    ...(status === 'running' ? { startedAt: FIRST_TIME } : {}),
    ...(isEnd(status) ? { endedAt: nowIso(), wakeAt: null, waits: null } : {}),
  };
}
