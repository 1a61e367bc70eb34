import type { AuditEntry } from '@riposte/audit';
import { AzureError } from '@riposte/azure';
import { type ErrorCode, RiposteError } from '@riposte/errors';
import type { HoldKind } from '@riposte/guardrails';
import { redactor } from '@riposte/observability';
import type { RunClaim } from '@riposte/persistence';
import type { PlannedRequest } from './action-definition.js';

/* What a run's driver asks of the action runner, and what it gets back. */

export interface ActionRequest {
  runId: string;
  /** Unique within the run; with the run id it keys the effect ledger. */
  stepKey: string;
  action: string;
  input: Record<string, unknown>;
  connectionTarget: string;
  dryRun: boolean;
  actor: { name: string; role: string };
  /** How the run started (`alert` runs stop while automation is paused). */
  trigger?: string;
  requestId?: string | null;
  signal: AbortSignal;
  /**
   * No earlier attempt of this step can exist: the first attempt in a run this process started
   * (not resumed). The effect ledger is then not read before the intent is written; if a row
   * were there after all, its unique key refuses the intent and nothing is sent.
   */
  firstAttempt?: boolean;
  /** One of many alike (a forEach item): its Graph calls may wait a moment to share a `$batch` (see GraphBatcher). */
  fanOut?: boolean;
  /**
   * The driver's claim on the run: the effect ledger's writes (and, in queue mode, the action's
   * record) count only while it holds. A lost claim is not an action's failure: `run` rejects
   * with ClaimLost, records nothing, and the driver stops (whoever took the run reconciles).
   */
  claim?: RunClaim;
  /**
   * A playbook run's journal: an effect's settle and its audit record are handed to it to go with
   * its next write, which records the step's end anyway (one statement instead of two). Until
   * then the effect reads as unsettled, as after a crash right after the call: whoever finds it
   * so reconciles with Azure, never resends blindly. Without it the runner settles at once.
   */
  carrySettle?: (settle: CarriedSettle) => void;
}

/** An effect's settle and its audit record, as RunJournal writes them (see JournalSettles1765010200000). */
export interface CarriedSettle {
  effectId: string;
  stepKey: string;
  status: 'succeeded' | 'failed';
  detail: Record<string, unknown>;
  settledAt: string;
  audit: AuditEntry;
}

export interface StepFailure {
  code: ErrorCode;
  message: string;
}

export type ActionResult =
  | { status: 'succeeded'; output: unknown; reconciled: boolean }
  | { status: 'planned'; output: { requests: PlannedRequest[] } }
  | { status: 'failed'; error: StepFailure; cancelled?: boolean }
  /** Held by a guardrail: the driver parks the run; it is driven again once an analyst decides. */
  | { status: 'waiting'; hold: { kind: HoldKind; prompt: string } }
  /**
   * Azure is still doing it (a machine action Pending): the driver parks the run until `until`
   * (epoch ms); the step is run again then and follows the same effect from the ledger.
   */
  | { status: 'deferred'; until: number; reason: string };

/** A refusal of the protection guardrail, as a step failure. */
export function refused(reason: string): StepFailure {
  return {
    code: 'protected_entity',
    message: `Refused: ${reason}. Riposte never acts on protected accounts and machines.`,
  };
}

export function toFailure(error: unknown): StepFailure {
  if (error instanceof AzureError || error instanceof RiposteError)
    return { code: error.code, message: redactor.scrub(error.message) };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal_error', message: redactor.scrub(message) };
}

/** What the audit trail says of an action's outcome (`safe`: the result as redacted). */
export function auditEntryOf(
  request: ActionRequest,
  result: ActionResult,
  safe: ActionResult,
  entity: string,
  auditResult?: 'denied',
): AuditEntry {
  return {
    actor: request.actor.name,
    actorRole: request.actor.role,
    action: `action.${request.action}`,
    result:
      auditResult ?? (result.status === 'planned' ? 'planned' : result.status === 'succeeded' ? 'success' : 'failure'),
    targetEntity: entity,
    connectionTarget: request.connectionTarget,
    runId: request.runId,
    requestId: request.requestId ?? null,
    detail: {
      stepKey: request.stepKey,
      ...(result.status === 'failed' ? { error: safe.status === 'failed' ? safe.error : null } : {}),
      ...(result.status === 'succeeded' && result.reconciled ? { reconciled: true } : {}),
    },
  };
}
