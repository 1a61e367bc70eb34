import type { TSchema } from 'typebox';
import type { AzureTarget, DefenderClient, GraphClient, HttpMethod, ResourceName, StorageClient } from '@riposte/azure';
import type { Notification, NotificationReceipt } from '@riposte/notifications';

/** An app role the action needs, on the resource that grants it. Any role in `satisfiedBy` will do instead. */
export interface RequiredRole {
  resource: ResourceName;
  role: string;
  satisfiedBy?: string[];
}

/** The exact HTTP request an action sends, as shown by dry runs (the bearer token redacted). */
export interface PlannedRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface ActionContext {
  target: AzureTarget;
  graph: GraphClient;
  defender: DefenderClient;
  /** Azure Storage through Azure Resource Manager. */
  storage: StorageClient;
  signal: AbortSignal;
  /**
   * Identifies this run step in the call itself where Azure keeps it (a Defender comment), so
   * that after a crash the effect can be found again: `riposte:<runId>/<stepKey>`.
   */
  marker: string;
  /** When the intent was first recorded: state changed after it was changed by us. */
  intendedAt: Date;
  /**
   * Saves what Azure gave back to follow an effect (a machine action id) before waiting on it,
   * so that after a crash the wait resumes on the same effect.
   */
  recordReference(reference: string): Promise<void>;
  /** Sends on a notification channel (see @riposte/notifications). */
  notify(channel: string, notification: Notification, signal: AbortSignal): Promise<NotificationReceipt>;
}

/** What reconciliation found out about an effect whose outcome was not recorded. */
export type Reconciliation<O> =
  | { state: 'applied'; output: O }
  /** Azure is still carrying it out: follow it with `resume`. */
  | { state: 'in_progress'; reference: string }
  /** It never took effect: sending it now is the first time. */
  | { state: 'not_applied' };

export interface ActionDefinition<I = Record<string, unknown>, O = unknown> {
  id: string;
  title: string;
  description: string;
  inputSchema: TSchema;
  requiredRoles: RequiredRole[];
  /** Azure RBAC operations the action performs through Azure Resource Manager (checked by the connection test). */
  requiredAzureOperations?: string[];
  /** The action that undoes this one, for revert. */
  inverse: string | null;
  /**
   * Can lock out a person, cut off a machine or change what they may do: the guardrails apply
   * (protected entities, budgets, the run's entity limit, the kill switch), and dry runs report
   * their refusals. Every destructive action is also `ledger`.
   */
  destructive: boolean;
  /**
   * A retry, a restart or a second process must never send it twice (it is not idempotent at
   * Azure, or it changes the tenant): its intent is committed to the effect ledger before it
   * leaves, and after a lost answer or a crash `reconcile` asks Azure whether it took effect.
   * A comment POST is ledgered without being destructive.
   */
  ledger: boolean;
  /** False for actions that call nothing (core.noop): no connection target is resolved. Default true. */
  needsConnection?: boolean;
  /** The thing acted upon (a user, a machine, an alert), for audit, protection and the ledger. */
  entity(input: I): string;
  /** The requests `execute` would send. May read (to resolve a machine name), never writes. */
  plan(input: I, context: ActionContext): Promise<Omit<PlannedRequest, 'headers'>[]>;
  execute(input: I, context: ActionContext): Promise<O>;
  /** Destructive actions: ask Azure whether an effect recorded as intended already happened. */
  reconcile?(input: I, context: ActionContext): Promise<Reconciliation<O>>;
  /** Destructive actions whose effect Azure carries out asynchronously: follow it to its end. */
  resume?(input: I, reference: string, context: ActionContext): Promise<O>;
  /** The input of the inverse action that undoes a succeeded run of this one. */
  inverseInput?(input: I, output: O): Record<string, unknown>;
}

/** A catalogue entry, as `GET /api/v1/actions` shows it. */
export interface ActionView {
  id: string;
  title: string;
  description: string;
  inputSchema: TSchema;
  requiredRoles: RequiredRole[];
  requiredAzureOperations?: string[];
  inverse: string | null;
  destructive: boolean;
  ledger: boolean;
}
