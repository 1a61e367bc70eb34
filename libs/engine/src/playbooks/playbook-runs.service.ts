import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AuditLog } from '@riposte/audit';
import { AppConfig } from '@riposte/config';
import { type Principal, type Role, roleAllows } from '@riposte/auth';
import { ConnectionTargetsService } from '@riposte/connection-targets';
import { ConflictError, NotFoundError, RiposteError, ValidationError } from '@riposte/errors';
import { ApprovalHolds } from '@riposte/guardrails';
import { checkRunInputs, StepFailure } from '@riposte/playbooks';
import { Database, nowIso, type Page, type RunEntity, RunEntity as RunTable } from '@riposte/persistence';
import { In } from 'typeorm';
import { RunScheduler } from '../run-scheduler.js';
import { RunStore } from '../run-store.js';
import type { ChildRuns } from './durable-host.js';
import { PlaybookDriver } from './playbook-driver.js';
import { PlaybookStore } from './playbook-store.js';
import { isUnfinishedRun } from '@riposte/vocabulary';

export interface StartPlaybookRun {
  inputs?: Record<string, unknown>;
  connectionTarget?: string;
  dryRun?: boolean;
  reason?: string;
}

export interface RunTrigger {
  type: 'api' | 'alert' | 'playbook';
  principal: Pick<Principal, 'name' | 'role'>;
  alertId?: string | null;
  alert?: unknown;
  parent?: { runId: string; stepKey: string };
}

/** A decision a person took on an approval step or on a step a guardrail held. */
export interface DecidedApproval {
  id: string;
  runId: string;
  playbook: { id: string; version: number } | null;
  step: string;
  kind: 'approval' | 'guardrail_hold';
  decision: 'approve' | 'reject';
  comment: string | null;
  decidedBy: string;
  decidedByRole: string;
  decidedAt: string;
}

const DECISION_ACTIONS = ['approval.approve', 'approval.reject', 'guardrail_hold.approve', 'guardrail_hold.reject'];
const MAX_CALL_DEPTH = 5;
const LADDER = new Set<Role>(['viewer', 'analyst', 'author', 'admin']);

/** Starting playbook runs, deciding their approvals, and the runs that call steps start. */
@Injectable()
export class PlaybookRunsService implements ChildRuns, OnModuleInit {
  constructor(
    private readonly db: Database,
    private readonly playbooks: PlaybookStore,
    private readonly store: RunStore,
    private readonly scheduler: RunScheduler,
    private readonly targets: ConnectionTargetsService,
    private readonly audit: AuditLog,
    private readonly driver: PlaybookDriver,
    private readonly holds: ApprovalHolds,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.driver.useChildRuns(this);
  }

  async start(
    playbookId: string,
    request: StartPlaybookRun,
    trigger: RunTrigger,
  ): Promise<{ runId: string; status: string }> {
    const { row, playbook } = await this.playbooks.current(playbookId);
    const inputs = checkRunInputs(playbook.definition, request.inputs ?? {});
    const connectionTarget = request.connectionTarget ?? playbook.definition.connection ?? null;
    if (connectionTarget) await this.targets.get(connectionTarget);
    const run = await this.store.create(
      {
        kind: 'playbook',
        triggerType: trigger.type,
        triggerBy: trigger.principal.name,
        triggerRole: trigger.principal.role,
        connectionTarget,
        dryRun: request.dryRun ?? false,
        reason: request.reason ?? null,
        input: { inputs, alert: trigger.alert ?? null },
        playbookId: row.id,
        playbookVersion: row.currentVersion,
        alertId: trigger.alertId ?? null,
        parentRunId: trigger.parent?.runId ?? null,
        parentStepKey: trigger.parent?.stepKey ?? null,
      },
      [],
    );
    this.scheduler.schedule(run.id, 'playbook');
    return { runId: run.id, status: 'queued' };
  }

  /**
   * Decisions taken, newest first: read from the audit trail, where each one is written in the
   * transaction that delivers it, so the history holds exactly the decisions that counted.
   */
  async decisions(query: { limit: number; cursor?: string }): Promise<Page<DecidedApproval>> {
    const page = await this.audit.list({ limit: query.limit, cursor: query.cursor, actions: DECISION_ACTIONS });
    const runIds = [...new Set(page.items.map((r) => r.runId).filter((id): id is string => Boolean(id)))];
    const runs = runIds.length
      ? await this.db.reader.find(RunTable, {
          where: { id: In(runIds) },
          select: { id: true, playbookId: true, playbookVersion: true },
        })
      : [];
    const playbookOf = new Map(runs.map((r) => [r.id, r]));
    return {
      nextCursor: page.nextCursor,
      items: page.items.map((record) => {
        const detail = record.detail ?? {};
        const run = record.runId ? playbookOf.get(record.runId) : undefined;
        const [kind, decision] = record.action.split('.') as [DecidedApproval['kind'], DecidedApproval['decision']];
        return {
          id: record.id,
          runId: record.runId ?? '',
          playbook:
            run?.playbookId && run.playbookVersion != null
              ? { id: run.playbookId, version: run.playbookVersion }
              : null,
          step: record.targetEntity?.startsWith('step:') ? record.targetEntity.slice(5) : (record.targetEntity ?? ''),
          kind,
          decision,
          comment: typeof detail.comment === 'string' ? detail.comment : null,
          decidedBy: record.actor,
          decidedByRole: record.actorRole,
          decidedAt: typeof detail.decidedAt === 'string' ? detail.decidedAt : record.at,
        };
      }),
    };
  }

  /**
   * An analyst's decision: on a step held by a guardrail (any run), or on a playbook's approval
   * step, which is delivered to the run the next time it is driven (now).
   */
  async decide(
    runId: string,
    stepId: string,
    decision: { decision: 'approve' | 'reject'; comment?: string },
    principal: Principal,
  ): Promise<{ runId: string; step: string; decision: string }> {
    const run = await this.store.find(runId);
    if (!run) throw new NotFoundError('Run', runId);
    if (!isUnfinishedRun(run.status)) throw new ConflictError(`Run ${runId} has ended (${run.status}).`, 'run_ended');
    // Four eyes: the one who started a run does not decide for it (a setting may relax this).
    if (!this.config.allowSelfApproval && run.triggerBy === principal.name) {
      throw new RiposteError(
        'forbidden',
        `'${principal.name}' started run ${runId} and may not also decide its step '${stepId}': someone else must (four eyes).`,
        'self_approval',
      );
    }
    const decidedAt = nowIso();
    const said = {
      decision: decision.decision,
      comment: decision.comment ?? null,
      decidedBy: principal.name,
      decidedAt,
    };
    if (await this.holds.decide(runId, stepId, decision.decision, principal.name, decision.comment ?? null)) {
      await this.audit.record({
        actor: principal.name,
        actorRole: principal.role,
        action: `guardrail_hold.${decision.decision}`,
        result: 'success',
        runId,
        targetEntity: `step:${stepId}`,
        connectionTarget: run.connectionTarget,
        detail: said,
      });
      return { runId, step: stepId, decision: decision.decision };
    }
    const waiting = run.kind === 'playbook' ? this.driver.approvalsWaiting(run) : new Map<string, never>();
    const approval = waiting.get(stepId);
    if (!approval)
      throw new ConflictError(
        `Run ${runId} is not waiting for a decision at step '${stepId}'; ${await this.waitingSteps(run, [...waiting.keys()])}`,
        'not_waiting_for_approval',
      );
    if (
      !approval.approvers.some((a) =>
        a.startsWith('key:')
          ? a.slice(4) === principal.name
          : LADDER.has(a as Role) && roleAllows(principal.role, a as Role),
      )
    ) {
      throw new RiposteError(
        'forbidden',
        `Step '${stepId}' may be decided by ${approval.approvers.join(', ')}; '${principal.name}' (${principal.role}) is not one of them.`,
        'not_an_approver',
      );
    }
    try {
      await this.db.transaction(async (m) => {
        // One decision per approval: the inbox's unique key refuses a second one, also from another process.
        await this.store.deliver(
          m,
          runId,
          {
            type: 'riposte.approval',
            step: stepId,
            decision: decision.decision,
            by: principal.name,
            comment: decision.comment ?? null,
          },
          `approval:${stepId}`,
          'fail',
        );
        await this.audit.record(
          {
            actor: principal.name,
            actorRole: principal.role,
            action: `approval.${decision.decision}`,
            result: 'success',
            runId,
            targetEntity: `step:${stepId}`,
            connectionTarget: run.connectionTarget,
            detail: said,
          },
          m,
        );
      });
    } catch (error) {
      if (Database.isUniqueViolation(error))
        throw new ConflictError(`Step '${stepId}' of run ${runId} has already been decided.`, 'already_decided');
      throw error;
    }
    this.scheduler.schedule(runId, 'playbook');
    return { runId, step: stepId, decision: decision.decision };
  }

  /**
   * A call step: the child run is found again after a restart, not started twice. The parent
   * does not wait in a slot for it: it is parked, and the child's end wakes it (see RunStore).
   */
  async callPlaybook(
    parent: RunEntity,
    call: { stepId: string; playbook: string; inputs: Record<string, unknown>; connection?: string },
  ): Promise<{ output: unknown } | { pending: true }> {
    const child = await this.db.reader.findOne(RunTable, {
      where: { parentRunId: parent.id, parentStepKey: call.stepId },
    });
    if (!child) {
      if ((await this.depth(parent)) >= MAX_CALL_DEPTH)
        throw new StepFailure('call_depth_exceeded', `Playbooks may call each other at most ${MAX_CALL_DEPTH} deep.`);
      try {
        await this.start(
          call.playbook,
          {
            inputs: call.inputs,
            connectionTarget: call.connection ?? parent.connectionTarget ?? undefined,
            dryRun: parent.dryRun,
          },
          {
            type: 'playbook',
            principal: { name: parent.triggerBy ?? 'riposte', role: (parent.triggerRole ?? 'analyst') as Role },
            parent: { runId: parent.id, stepKey: call.stepId },
            alertId: parent.alertId,
            alert: (parent.input as { alert?: unknown } | null)?.alert,
          },
        );
      } catch (error) {
        if (error instanceof ValidationError || error instanceof NotFoundError)
          throw new StepFailure('call_failed', error.message);
        throw error;
      }
      return { pending: true };
    }
    if (isUnfinishedRun(child.status)) return { pending: true };
    if (child.status === 'succeeded') return { output: child.output };
    throw new StepFailure(
      'called_playbook_failed',
      `Playbook ${call.playbook} (run ${child.id}) ended ${child.status}${child.error ? `: ${child.error.message}` : ''}.`,
    );
  }

  /** For a decision sent to the wrong step: which steps do wait, in words. */
  private async waitingSteps(run: RunEntity, approvals: string[]): Promise<string> {
    const steps = [...approvals, ...(await this.holds.pending(run.id)).map((h) => h.stepKey)];
    if (steps.length === 0) return `it waits for no decision (status ${run.status}).`;
    return `it waits at ${steps.map((s) => `'${s}'`).join(', ')}.`;
  }

  private async depth(run: RunEntity): Promise<number> {
    let depth = 0;
    let current: RunEntity | null = run;
    while (current?.parentRunId && depth <= MAX_CALL_DEPTH) {
      depth += 1;
      current = await this.store.find(current.parentRunId);
    }
    return depth;
  }
}
