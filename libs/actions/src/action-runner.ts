import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '@riposte/audit';
import { AppConfig } from '@riposte/config';
import {
  AzureError,
  type AzureTarget,
  CheckLater,
  DefenderClient,
  GraphClient,
  IN_CALL_WAIT_MS,
  StorageClient,
} from '@riposte/azure';
import { ConnectionTargetsService } from '@riposte/connection-targets';
import { AwaitingDecision, Guardrails, type IntentLimits } from '@riposte/guardrails';
import { Notifier } from '@riposte/notifications';
import { Metrics, REDACTED, redactor } from '@riposte/observability';
import { ClaimLost, Database, EffectEntity } from '@riposte/persistence';
import type { ActionContext, ActionDefinition } from './action-definition.js';
import { ActionCatalogue } from './action-catalogue.js';
import { EffectLedger } from './effect-ledger.js';
import {
  type ActionRequest,
  type ActionResult,
  auditEntryOf,
  refused,
  type StepFailure,
  toFailure,
} from './action-result.js';
import { NOT_APPLIED, reconcileThenRun } from './reconcile-effect.js';
import { recordOutcome } from './action-record.js';

/** Failures after which the effect may or may not have happened: reconcile before anything else. */
const AMBIGUOUS = new Set(['timeout', 'network_error', 'service_unavailable', 'cancelled']);
/** Failures that leave an effect in flight at Azure: keep its ledger entry open so it is followed, not resent. */
const STILL_RUNNING = new Set(['machine_action_pending']);

/**
 * Runs one action for a run step, safely: input checked against the action's schema, dry runs
 * planned but never sent, destructive calls recorded in the effect ledger before they leave and
 * reconciled with Azure after any doubt, every execution audited. Never throws for a failed
 * action: the failure is returned, with a code a playbook can act on. Throws ClaimLost only:
 * the driver no longer holds the run.
 */
@Injectable()
export class ActionRunner {
  private readonly logger = new Logger(ActionRunner.name);

  constructor(
    private readonly catalogue: ActionCatalogue,
    private readonly targets: ConnectionTargetsService,
    private readonly graph: GraphClient,
    private readonly defender: DefenderClient,
    private readonly ledger: EffectLedger,
    private readonly audit: AuditLog,
    private readonly metrics: Metrics,
    private readonly db: Database,
    private readonly guardrails: Guardrails,
    private readonly config: AppConfig,
    private readonly notifier: Notifier,
    private readonly storage: StorageClient,
  ) {}

  /**
   * How long after its intent a destructive call may still take effect at Azure: its own
   * timeout, after the longest in-call wait for a retry it may have made. Before that, "Azure has
   * no trace of it" proves nothing (Azure may hold it and apply it late).
   */
  landingBoundMs(): number {
    return this.config.azureHttp.timeoutMs + this.config.azureHttp.maxRetryWaitMs;
  }

  async run(request: ActionRequest): Promise<ActionResult> {
    const prepared = await this.prepare(request);
    if ('error' in prepared) return this.finish(request, null, { status: 'failed', error: prepared.error }, 'unknown');
    const { definition, input, context } = prepared;
    const entity = definition.entity(input as never);

    if (request.dryRun) {
      try {
        // A dry run also says when the real run would be refused.
        const refusal = definition.destructive
          ? await this.guardrails.refusal(entity, context.target, request.signal)
          : null;
        if (refusal)
          return this.finish(request, null, { status: 'failed', error: refused(refusal) }, entity, 'settle', 'denied');
        const planned = await definition.plan(input as never, context);
        const requests = planned.map((p) => ({
          ...p,
          headers: {
            Authorization: `Bearer ${REDACTED}`,
            ...(p.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
        }));
        return this.finish(
          request,
          null,
          { status: 'planned', output: { requests: redactor.redact(requests) } },
          entity,
        );
      } catch (error) {
        if (error instanceof ClaimLost) throw error;
        return this.finish(request, null, { status: 'failed', error: toFailure(error) }, entity);
      }
    }
    if (!definition.ledger) {
      try {
        return this.finish(
          request,
          null,
          { status: 'succeeded', output: await definition.execute(input as never, context), reconciled: false },
          entity,
        );
      } catch (error) {
        if (error instanceof ClaimLost) throw error;
        const later = this.throttledUntil(error);
        if (later)
          return { status: 'deferred', until: later, reason: `Throttled by Azure: tried again after its Retry-After.` };
        return this.finish(
          request,
          null,
          { status: 'failed', error: toFailure(error), cancelled: request.signal.aborted },
          entity,
        );
      }
    }
    return this.runLedgered(request, definition, input, context, entity);
  }

  /** A call that must never be sent twice: intent first, reconciled after a lost answer or a crash; guardrails first when it is destructive. */
  private async runLedgered(
    request: ActionRequest,
    definition: ActionDefinition,
    input: Record<string, unknown>,
    context: ActionContext,
    entity: string,
  ): Promise<ActionResult> {
    const existing = request.firstAttempt ? null : await this.ledger.find(request.runId, request.stepKey);
    // Already done by an earlier attempt or an earlier life of this process: report, never resend.
    if (existing?.status === 'succeeded')
      return {
        status: 'succeeded',
        output: (existing.detail as { output?: unknown } | null)?.output ?? null,
        reconciled: true,
      };

    const unsettled = existing && (existing.status === 'intended' || existing.status === 'sent') ? existing : null;
    let effect: EffectEntity;
    if (unsettled) {
      effect = unsettled;
    } else {
      // A new destructive call: the guardrails decide whether, and when, it may go.
      try {
        if (definition.destructive) {
          await this.guardrails.automationAllowed(request);
          const refusal = await this.guardrails.refusal(entity, context.target, request.signal);
          if (refusal)
            return this.finish(
              request,
              null,
              { status: 'failed', error: refused(refusal) },
              entity,
              'settle',
              'denied',
            );
        }
        effect = await this.intendWithinLimits(request, definition, entity, existing);
      } catch (error) {
        if (error instanceof ClaimLost) throw error;
        if (error instanceof AwaitingDecision) {
          this.logger.warn(
            { runId: request.runId, stepKey: request.stepKey, action: request.action, entity, hold: error.kind },
            'step held for a decision',
          );
          return { status: 'waiting', hold: { kind: error.kind, prompt: error.prompt } };
        }
        return this.finish(
          request,
          null,
          { status: 'failed', error: toFailure(error), cancelled: request.signal.aborted },
          entity,
        );
      }
    }
    context.intendedAt = new Date(effect.intendedAt);
    context.recordReference = async (reference) => {
      await this.ledger.recordReference(effect.id, reference, request.claim);
      // An ambiguous failure later in this attempt resumes from it too, not only a later attempt.
      effect.reference = reference;
    };

    try {
      const output = unsettled
        ? await reconcileThenRun(definition, input, context, unsettled, this.landingBoundMs(), this.logger)
        : await definition.execute(input as never, context);
      return await this.finish(
        request,
        effect,
        { status: 'succeeded', output, reconciled: unsettled !== null },
        entity,
      );
    } catch (error) {
      if (error instanceof ClaimLost) throw error;
      // Still under way at Azure: the ledger entry stays open (it names the effect), nothing is audited yet.
      if (error instanceof CheckLater) return { status: 'deferred', until: error.at, reason: error.message };
      // Throttled with a long Retry-After: certainly not applied, so the intent is closed; the step asks again when it is due.
      const later = error instanceof AzureError && error.code === 'throttled' ? this.throttledUntil(error) : null;
      if (later) {
        await this.db.transaction((m) =>
          this.ledger.settle(
            m,
            effect.id,
            'failed',
            { error: { code: 'throttled', message: 'Throttled by Azure; asked again after its Retry-After.' } },
            request.claim,
          ),
        );
        return { status: 'deferred', until: later, reason: 'Throttled by Azure: tried again after its Retry-After.' };
      }
      const failure = toFailure(error);
      if (AMBIGUOUS.has(failure.code) && !request.signal.aborted) {
        // The call may have been applied before the answer was lost: ask Azure once.
        try {
          const output = await reconcileThenRun(
            definition,
            input,
            context,
            effect,
            this.landingBoundMs(),
            this.logger,
            {
              resend: false,
            },
          );
          if (output !== NOT_APPLIED)
            return await this.finish(request, effect, { status: 'succeeded', output, reconciled: true }, entity);
          return await this.finish(request, effect, { status: 'failed', error: failure }, entity);
        } catch (again) {
          if (again instanceof ClaimLost) throw again;
          if (again instanceof CheckLater) return { status: 'deferred', until: again.at, reason: again.message };
          // Still unknown: leave the ledger entry open, the next attempt reconciles again.
        }
      }
      const ledger = AMBIGUOUS.has(failure.code) || STILL_RUNNING.has(failure.code) ? 'leave-open' : 'settle';
      return this.finish(
        request,
        effect,
        { status: 'failed', error: failure, cancelled: request.signal.aborted },
        entity,
        ledger,
      );
    }
  }

  /** When a throttled call (429/503) should be asked again, if its Retry-After is too long to wait in the call but within our bound. */
  private throttledUntil(error: unknown): number | null {
    if (!(error instanceof AzureError) || !['throttled', 'service_unavailable'].includes(error.code)) return null;
    const wait = error.details.retryAfterMs;
    if (wait === undefined || wait <= IN_CALL_WAIT_MS || wait > this.config.azureHttp.maxRetryWaitMs) return null;
    return Date.now() + wait;
  }

  /** Records the intent within the budget and the run's entity limit; over a limit, the step is held for an analyst. */
  private async intendWithinLimits(
    request: ActionRequest,
    definition: ActionDefinition,
    entity: string,
    previous: EffectEntity | null,
  ): Promise<EffectEntity> {
    const key = {
      runId: request.runId,
      stepKey: request.stepKey,
      action: definition.id,
      connectionTarget: request.connectionTarget,
      entity,
    };
    // Budgets and the run's entity limit are for destructive actions; a ledgered comment is only recorded.
    let exempt: IntentLimits['exempt'] | undefined = definition.destructive
      ? undefined
      : { budget: true, blastRadius: true };
    for (;;) {
      const limits = await this.guardrails.limits(definition.id, exempt);
      const result = await this.ledger.intend(key, limits, previous, request.claim);
      if ('effect' in result) return result.effect;
      // Over a limit: an analyst may already have let this step (or, for the entity count, this run) past it.
      if (!exempt) {
        exempt = await this.guardrails.approvals(request.runId, request.stepKey);
        if (result.over === 'budget' ? exempt.budget : exempt.blastRadius) continue;
      }
      const prompt =
        result.over === 'budget'
          ? `The budget of ${limits.budget?.limit} × ${definition.id} per ${Math.round((limits.budget?.windowMs ?? 0) / 60_000)} min on '${request.connectionTarget}' is used up (${result.used} in the window). Approve to go beyond it for ${entity}.`
          : `This run is about to act on a ${result.touched + 1}th entity (${entity}); a run may touch ${limits.maxEntities} without approval. Approve to let it go on.`;
      // Returns once approved; the next pass goes past this limit.
      await this.guardrails.gate(request.runId, request.stepKey, result.over, prompt);
      exempt = { ...exempt, [result.over === 'budget' ? 'budget' : 'blastRadius']: true };
    }
  }

  private async prepare(
    request: ActionRequest,
  ): Promise<
    { definition: ActionDefinition; input: Record<string, unknown>; context: ActionContext } | { error: StepFailure }
  > {
    if (!this.catalogue.has(request.action))
      return { error: { code: 'unknown_action', message: `There is no action '${request.action}'.` } };
    const definition = this.catalogue.get(request.action);
    const checked = this.catalogue.validateInput(request.action, request.input);
    if (!checked.ok)
      return {
        error: {
          code: 'invalid_input',
          message: `The input of ${request.action} is invalid: ${checked.errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}.`,
        },
      };
    let target: AzureTarget | undefined;
    if (definition.needsConnection !== false) {
      if (!request.connectionTarget)
        return {
          error: {
            code: 'no_connection_target',
            message: `Step '${request.stepKey}' has no connection target: name one when starting the run, in the playbook (connection:), or on the step.`,
          },
        };
      try {
        target = await this.targets.resolve(request.connectionTarget);
      } catch (error) {
        return { error: toFailure(error) };
      }
    }
    const context: ActionContext = {
      target: target as AzureTarget,
      graph: request.fanOut ? this.graph.forFanOut : this.graph,
      defender: this.defender,
      storage: this.storage,
      signal: request.signal,
      marker: `riposte:${request.runId}/${request.stepKey}`,
      intendedAt: new Date(),
      recordReference: async () => undefined,
      notify: (channel, notification, signal) => this.notifier.send(channel, notification, signal),
    };
    return { definition, input: checked.input, context };
  }

  /** Settles the ledger (if any), audits and counts: in one transaction, so the record and the fact commit together. */
  private async finish(
    request: ActionRequest,
    effect: EffectEntity | null,
    result: ActionResult,
    entity: string,
    ledger: 'settle' | 'leave-open' = 'settle',
    auditResult?: 'denied',
  ): Promise<ActionResult> {
    const safe = redactor.redact(result);
    const entry = auditEntryOf(request, result, safe, entity, auditResult);
    const settled = safe.status === 'succeeded' || safe.status === 'failed' ? safe : null;
    await recordOutcome(
      { db: this.db, audit: this.audit, ledger: this.ledger },
      request,
      effect && ledger === 'settle' && settled ? { effect, status: settled.status } : null,
      settled?.status === 'succeeded' ? { output: settled.output } : { error: settled?.error },
      entry,
      effect !== null,
    );
    this.metrics.actions.inc({
      action: request.action,
      result: result.status === 'failed' ? result.error.code : result.status,
    });
    const line = {
      runId: request.runId,
      stepKey: request.stepKey,
      action: request.action,
      connectionTarget: request.connectionTarget,
      entity,
      result: safe.status,
    };
    if (safe.status === 'failed') this.logger.warn({ ...line, error: safe.error }, 'action failed');
    else this.logger.log(line, `action ${safe.status}`);
    return safe;
  }
}
