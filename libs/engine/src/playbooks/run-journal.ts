import { randomUUID } from 'node:crypto';
import type { CarriedSettle } from '@riposte/actions';
import type { AuditLog } from '@riposte/audit';
import type { LoopStepRecord, RunContext, StepState } from '@riposte/playbooks';
import type { EntityManager } from 'typeorm';
import { Database, nowIso, RunEventEntity, RunInboxEntity, type SqlParam, StepEntity } from '@riposte/persistence';
import { FIRST_TIME, json, STEPS_OF_RUN_SQL, stepFromRow } from '../run-rows.js';
import { journalStep, journalText, writeWithSettles } from '../carried-writes.js';
import { type RunLease, type RunStore, StaleRun } from '../run-store.js';
import { redactor } from '@riposte/observability';
import { snapshotText } from './run-snapshot.js';
import { isFinishedStep } from '@riposte/vocabulary';

type StepRow = Partial<Omit<StepEntity, 'id' | 'runId' | 'stepKey' | 'position'>>;

/**
 * Writes a playbook run as it goes: after every transition of its machine, the persisted
 * snapshot, the steps whose state changed, the timeline events they imply and the settles of the
 * effects whose calls returned (with their audit records), in one statement. Changes in the same
 * tick are written together.
 */
export class RunJournal {
  private lastSteps: Record<string, StepState> = {};
  private positions = 0;
  /** Every step row of the run as written (committed), by step key: a write sends whole rows. */
  private written = new Map<string, StepEntity>();
  private pendingRows = new Map<string, StepRow>();
  private pendingEvents: Omit<RunEventEntity, 'seq'>[] = [];
  private consumedInbox: number[] = [];
  private pendingSettles: CarriedSettle[] = [];
  /** A run created claimed is still queued: its first write marks it running (see `markRunning`). */
  private starting = false;
  private latest: { snapshot: unknown } | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private scheduled = false;

  private readonly runId: string;
  /** A write refused because another driver holds the run: every later flush reports it, so the driver stops. */
  private stale: StaleRun | undefined;
  private onLost: () => void = () => undefined;
  /** Resolves once a write was refused (or the driver gave the run up): the driver stops, writing nothing more. */
  readonly lost = new Promise<'lost'>((resolve) => {
    this.onLost = () => resolve('lost');
  });

  constructor(
    private readonly db: Database,
    private readonly store: RunStore,
    private readonly audit: AuditLog,
    /** The driver's claim: every write of the journal is fenced by it. */
    readonly lease: RunLease,
    private readonly dryRun: boolean,
    private readonly actionOf: (stepId: string) => string | null,
  ) {
    this.runId = lease.runId;
  }

  /** `fresh`: the run has never been driven, so it has no step rows to read. */
  async open(context: RunContext | undefined, fresh: boolean): Promise<void> {
    const rows = fresh ? [] : await this.db.all(this.db.reader, STEPS_OF_RUN_SQL, [this.runId]);
    this.written = new Map(rows.map((r) => [r.stepKey as string, stepFromRow(r)]));
    this.positions = rows.length;
    this.lastSteps = context?.steps ?? {};
  }

  /** Called with every snapshot of the machine. */
  onSnapshot(snapshot: unknown, context: RunContext): void {
    const status = (snapshot as { status?: string }).status;
    if (status !== 'active' && status !== 'done') return;
    // Diffed now, not when written, so rows and events keep the order things happened in.
    this.diff(context);
    this.latest = { snapshot };
    this.schedule();
  }

  /** Writes at the end of this turn of the event loop: what a transition and the actions it starts change goes in one transaction. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the microtasks of this turn: the actions a transition starts (their inputs evaluated
    // by JSONata, which is promise-based) record their attempt first, and go in the same write.
    setImmediate(() => {
      this.scheduled = false;
      this.background();
    });
  }

  event(type: string, stepKey: string | null, detail: Record<string, unknown> | null = null): void {
    this.pendingEvents.push({
      runId: this.runId,
      at: nowIso(),
      type,
      stepKey,
      detail: detail ? redactor.redact(detail) : null,
    });
  }

  /** An action step's input, connection and attempt, as the executor sees them. */
  recordAttempt(
    stepKey: string,
    row: { action: string; input: Record<string, unknown>; connectionTarget: string | null; attempts: number },
  ): void {
    // Running again also after a guardrail hold, which the machine's context does not know about.
    this.mergeRow(stepKey, { ...row, status: 'running', input: redactor.redact(row.input) });
    this.schedule();
  }

  recordLoopStep(stepKey: string, record: LoopStepRecord): Promise<void> {
    const now = nowIso();
    const status = this.dryRun && record.status === 'succeeded' ? 'planned' : record.status;
    this.mergeRow(stepKey, {
      stepId: record.stepId,
      action: record.action,
      status,
      ...(record.status === 'running' ? { startedAt: now } : { endedAt: now }),
      ...(record.output !== undefined ? { output: redactor.redact(record.output) } : {}),
      ...(record.error !== undefined ? { error: record.error } : {}),
      ...(record.attempts !== undefined ? { attempts: record.attempts } : {}),
    });
    this.event(`step.${status}`, stepKey, record.error ? { error: record.error } : null);
    return this.flush();
  }

  /** A step a guardrail holds until an analyst decides. */
  held(stepKey: string, kind: string, prompt: string): void {
    this.mergeRow(stepKey, { status: 'waiting' });
    this.event('guardrail.held', stepKey, { kind, prompt });
  }

  /** A step that waits parked (its next attempt, the next check of its machine action, its child run). */
  stepWaits(stepKey: string, type: string, detail: Record<string, unknown> | null): void {
    this.mergeRow(stepKey, { status: 'waiting' });
    this.event(type, stepKey, detail);
  }

  /** An effect's settle, written with the step's end (see ActionRequest.carrySettle). */
  readonly carry = (settle: CarriedSettle): void => {
    this.pendingSettles.push(settle);
    this.schedule();
  };

  /** The run was created claimed for this driver and is still queued: the next write marks it running. */
  markRunning(): void {
    this.starting = true;
    this.schedule();
  }

  /** Whether a settle of the step is still to be written (a next attempt must find it written). */
  settling(stepKey: string): boolean {
    return this.pendingSettles.some((settle) => settle.stepKey === stepKey);
  }

  consumed(inboxSeqs: number[]): void {
    this.consumedInbox.push(...inboxSeqs);
  }

  /** The driver gave the run up (a stall): what is pending is dropped and nothing more is written. */
  abandon(): void {
    this.markStale(new StaleRun(this.runId));
    this.pendingRows.clear();
    this.pendingEvents = [];
    this.consumedInbox = [];
    this.pendingSettles = [];
    this.latest = undefined;
  }

  /** Writes what is pending. Serialized: flushes never overlap. Rejects with StaleRun once a write found the run held by another driver. */
  async flush(): Promise<void> {
    this.background();
    await this.flushing;
    if (this.stale) throw this.stale;
  }

  /**
   * Writes what is pending and the run's transition (its end, or its park) in the same
   * transaction: `transition` makes the fenced write of the run, with the snapshot when there is
   * a new one (none when `keepSnapshot` is false: an ended run is never restored). Rejects with
   * the write's error (StaleRun included).
   */
  async close(transition: Transition, keepSnapshot = true): Promise<void> {
    const done = this.flushing.then(() => {
      if (this.stale) throw this.stale;
      return this.write(transition, keepSnapshot);
    });
    this.flushing = done.catch((error: unknown) => {
      if (error instanceof StaleRun) this.markStale(error);
    });
    await done;
  }

  private markStale(error: StaleRun): void {
    this.stale ??= error;
    this.onLost();
  }

  private background(): void {
    this.flushing = this.flushing
      .then(() => (this.stale ? undefined : this.write()))
      .catch((error: unknown) => {
        if (error instanceof StaleRun) this.markStale(error);
      });
  }

  private async write(transition?: Transition, keepSnapshot = true): Promise<void> {
    const latest = this.latest;
    this.latest = undefined;
    if (
      !transition &&
      !latest &&
      this.pendingRows.size === 0 &&
      this.pendingEvents.length === 0 &&
      this.consumedInbox.length === 0 &&
      this.pendingSettles.length === 0 &&
      !this.starting
    )
      return;
    // Its first start goes with any write; marked running only by a write that is not a transition's.
    const started: Pick<JournalWrite, 'startedAt'> = this.starting ? { startedAt: FIRST_TIME } : {};
    const running = this.starting && !transition ? { status: 'running' as const } : {};
    this.starting = false;
    const rows = this.pendingRows;
    const events = this.pendingEvents;
    const inbox = this.consumedInbox;
    const settles = this.pendingSettles;
    this.pendingRows = new Map();
    this.pendingEvents = [];
    this.consumedInbox = [];
    this.pendingSettles = [];
    // Decided before the transaction, which may be run again (see Database): it only writes.
    // Whole rows, new or changed, in one upsert: nothing else writes a run's step rows while it
    // is claimed, so the row as last written plus the change is the row.
    const upserts = [...rows]
      .filter(([stepKey, row]) => !this.written.has(stepKey) || Object.keys(row).length > 0)
      .map(([stepKey, row]) => {
        const before = this.written.get(stepKey);
        return before ? { ...before, ...row } : this.newRow(stepKey, row);
      });
    const fields = {
      ...started,
      ...(latest && keepSnapshot ? { snapshot: snapshotText(latest.snapshot) } : {}),
    };
    // The rows, events and settles go with the fenced write of the run, in the same statement (a
    // trigger writes them into their tables: see carried-writes.ts). The settles' audit records
    // are linked to the chain where they are written: `audits`.
    const written = (audits: SqlParam[][]): JournalWrite =>
      upserts.length || events.length || settles.length
        ? { journal: journalText(upserts.map(journalStep), events.map(eventValues), settles, audits), ...fields }
        : fields;
    const alone = (audits: SqlParam[][]) => ({ ...written(audits), ...running });
    // Fenced: counts only while this driver still holds the run (rolled back otherwise).
    if (!transition && inbox.length === 0)
      await writeWithSettles({ db: this.db, store: this.store, audit: this.audit }, this.lease, settles, alone);
    else
      await this.db.transaction(async (m) => {
        if (inbox.length) await m.delete(RunInboxEntity, inbox);
        const entries = settles.map((settle) => settle.audit);
        const done = written(entries.length ? await this.audit.linkWithin(entries, m) : []);
        if (transition) await transition(m, done, this.anyUnfinished(upserts));
        else await this.store.fenced(m, this.lease, { ...done, ...running });
      });
    for (const row of upserts) this.written.set(row.stepKey, row);
  }

  /** Whether a step row of the run is left unfinished once `upserts` are written. */
  private anyUnfinished(upserts: StepEntity[]): boolean {
    const rows = new Map(this.written);
    for (const row of upserts) rows.set(row.stepKey, row);
    for (const row of rows.values()) if (!isFinishedStep(row.status)) return true;
    return false;
  }

  /** Step states that changed since the last snapshot become step rows and timeline events. */
  private diff(context: RunContext): void {
    for (const [stepId, state] of Object.entries(context.steps)) {
      const before = this.lastSteps[stepId];
      if (
        before &&
        before.status === state.status &&
        before.endedAt === state.endedAt &&
        before.approval?.decision === state.approval?.decision
      )
        continue;
      const action = this.actionOf(stepId);
      const status = this.dryRun && action && state.status === 'succeeded' ? 'planned' : state.status;
      this.mergeRow(stepId, {
        stepId,
        action,
        status,
        startedAt: state.startedAt ?? null,
        endedAt: state.endedAt ?? null,
        output: state.output === undefined ? null : redactor.redact(state.output),
        error: state.error ?? null,
        ...(state.attempts ? { attempts: state.attempts } : {}),
        ...(state.approval && !action ? { input: { approval: state.approval } } : {}),
      });
      if (state.approval && state.status === 'waiting')
        this.event('approval.requested', stepId, {
          prompt: state.approval.prompt,
          approvers: state.approval.approvers,
          deadline: state.approval.deadline,
          ...(state.approval.channel ? { channel: state.approval.channel } : {}),
        });
      else if (state.approval?.decision && before?.approval?.decision !== state.approval.decision)
        this.event('approval.decided', stepId, {
          decision: state.approval.decision,
          by: state.approval.by,
          comment: state.approval.comment,
          timedOut: state.approval.timedOut,
        });
      else this.event(`step.${status}`, stepId, state.error ? { error: state.error } : null);
    }
    this.lastSteps = context.steps;
  }

  private mergeRow(stepKey: string, row: StepRow): void {
    this.pendingRows.set(stepKey, { ...this.pendingRows.get(stepKey), ...row });
  }

  private newRow(stepKey: string, row: StepRow): StepEntity {
    return {
      id: randomUUID(),
      runId: this.runId,
      position: this.positions++,
      stepKey,
      stepId: row.stepId ?? stepKey.replace(/\[\d+\]$/, ''),
      action: row.action ?? null,
      connectionTarget: row.connectionTarget ?? null,
      status: row.status ?? 'running',
      attempts: row.attempts ?? 0,
      input: row.input ?? null,
      output: row.output ?? null,
      error: row.error ?? null,
      startedAt: row.startedAt ?? null,
      endedAt: row.endedAt ?? null,
    };
  }
}

/**
 * The run's transition written with the journal's last rows: `written` goes into its fenced write
 * (`journal`: the rows and events, when there are any; `snapshot`: when there is a new one).
 * `unfinished`: a step row is not finished.
 */
export type Transition = (m: EntityManager, written: JournalWrite, unfinished: boolean) => Promise<void>;
export type JournalWrite = { journal?: string; snapshot?: string; startedAt?: typeof FIRST_TIME };

/** An event as the journal column carries it (RunJournal1765010000000's order). */
function eventValues(event: Omit<RunEventEntity, 'seq'>): SqlParam[] {
  return [event.at, event.type, event.stepKey, json(event.detail)];
}
