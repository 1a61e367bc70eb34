import { Injectable } from '@nestjs/common';
import type { AzureTarget } from '@riposte/azure';
import { RiposteError } from '@riposte/errors';
import { ApprovalHolds, type HoldKind } from './approval-holds.js';
import { AutomationSwitch } from './automation-switch.js';
import type { Budget } from './guardrail-settings.js';
import { ProtectionService } from './protection.service.js';

export interface IntentLimits {
  budget: Budget | null;
  maxEntities: number;
  /** Limits an analyst already allowed this step (or, for the entity count, this run) to pass. */
  exempt: { budget: boolean; blastRadius: boolean };
}

/** Thrown when a step must wait for an analyst: its run is parked until the hold is decided. */
export class AwaitingDecision extends Error {
  constructor(
    readonly kind: HoldKind,
    readonly prompt: string,
  ) {
    super(prompt);
  }
}

/**
 * What the action runner asks before a destructive call: may alert-fired automation act now
 * (the kill switch), may this entity be touched (protection), and within which limits (budget
 * per connection target and action, entities per run). A step over a limit is held until an
 * analyst decides.
 */
@Injectable()
export class Guardrails {
  constructor(
    private readonly protection: ProtectionService,
    private readonly holds: ApprovalHolds,
    private readonly automation: AutomationSwitch,
  ) {}

  /** Holds an alert-fired step while automation is paused (unless an analyst let this one go). */
  async automationAllowed(step: { runId: string; stepKey: string; trigger?: string }): Promise<void> {
    if (step.trigger !== 'alert') return;
    const state = await this.automation.state();
    if (!state.paused) return;
    const prompt = `Alert-fired automation is paused (by ${state.by ?? 'unknown'} since ${state.since ?? '?'}${state.reason ? `: ${state.reason}` : ''}). The step goes on when automation resumes; approve to let it act now.`;
    await this.gate(step.runId, step.stepKey, 'paused', prompt);
  }

  refusal(entity: string, target: AzureTarget, signal?: AbortSignal): Promise<string | null> {
    return this.protection.refusal(entity, target, signal);
  }

  /** The limits on an action; `exempt`: what analysts already approved (see `approvals`). */
  async limits(
    action: string,
    exempt: IntentLimits['exempt'] = { budget: false, blastRadius: false },
  ): Promise<IntentLimits> {
    const settings = await this.protection.settings();
    return { budget: settings.budgets[action] ?? null, maxEntities: settings.maxEntitiesPerRun, exempt };
  }

  /** Limits analysts let this step (the budget) or its run (the entity count) go past. Read only when a limit is reached. */
  approvals(runId: string, stepKey: string): Promise<IntentLimits['exempt']> {
    return this.holds.approvals(runId, stepKey);
  }

  /**
   * Returns if the step's hold was approved; throws AwaitingDecision while it is pending (the
   * hold is created on the first call) and a `<kind>_rejected` error once it was rejected.
   */
  async gate(runId: string, stepKey: string, kind: HoldKind, prompt: string): Promise<void> {
    const status = await this.holds.request(runId, stepKey, kind, prompt);
    if (status === 'approved') return;
    if (status === 'pending') throw new AwaitingDecision(kind, prompt);
    throw new RiposteError('forbidden', REJECTED[kind], `${kind}_rejected`);
  }
}

const REJECTED: Record<HoldKind, string> = {
  budget: 'An analyst rejected going past the budget: the entity was not touched.',
  blast_radius: 'An analyst rejected going past the entity limit of the run: the entity was not touched.',
  paused: 'An analyst rejected this step while automation was paused: the entity was not touched.',
};
