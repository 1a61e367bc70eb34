import { randomUUID } from 'node:crypto';
import { preciseNow } from './clock.js';
import {
  TERMINAL_ACTION_STATUSES,
  type Machine,
  type MachineAction,
  type MachineActionStatus,
  type MachineActionType,
  type IsolationState,
} from './model.js';
import type { TenantData } from './state.js';

/** How a scripted action ends: a terminal status, or stuck where it is. */
export type ActionOutcome = 'Succeeded' | 'Failed' | 'TimeOut' | 'Cancelled' | 'StayPending' | 'StayInProgress';
export const ACTION_OUTCOMES: readonly ActionOutcome[] = [
  'Succeeded',
  'Failed',
  'TimeOut',
  'Cancelled',
  'StayPending',
  'StayInProgress',
];

export interface ActionScriptInput {
  outcome: ActionOutcome;
  /** How many of the next matching actions end this way (default 1; `Infinity` for all). */
  count?: number;
  type?: MachineActionType;
  machineId?: string;
}

interface ActionScript extends Required<Omit<ActionScriptInput, 'type' | 'machineId'>> {
  type?: MachineActionType;
  machineId?: string;
}

export interface NewAction {
  type: MachineActionType;
  comment: string;
  /** Isolation type for `Isolate`; MDE reports it as the action's `scope`. */
  scope: string | null;
  requestor: string;
  relatedFileInfo?: MachineAction['relatedFileInfo'];
}

/**
 * Machine actions and their life: `Pending` → `InProgress` → outcome, one `transitionMs` step each
 * (`Infinity` = only on demand). A succeeded action changes the machine's isolation state.
 */
export class MachineActionEngine {
  private readonly timers = new Set<NodeJS.Timeout>();
  private scripts: ActionScript[] = [];
  /** `tenant|machine|type` → the Pending/InProgress action, for ActiveRequestAlreadyExists. */
  private readonly active = new Map<string, MachineAction>();
  /** Scripted outcome per action id, so a manual completion without a status ends it as scripted. */
  private readonly planned = new Map<string, ActionOutcome>();

  constructor(private readonly transitionMs: number) {}

  /** Makes the next matching action(s) end with `outcome`. */
  script(input: ActionScriptInput): { remove(): void } {
    const script: ActionScript = {
      outcome: input.outcome,
      count: input.count ?? 1,
      type: input.type,
      machineId: input.machineId?.toLowerCase(),
    };
    this.scripts.push(script);
    return { remove: () => (this.scripts = this.scripts.filter((s) => s !== script)) };
  }

  activeAction(tenant: TenantData, machineId: string, type: MachineActionType): MachineAction | undefined {
    return this.active.get(key(tenant.id, machineId, type));
  }

  create(tenant: TenantData, machine: Machine, input: NewAction): MachineAction {
    const now = preciseNow();
    const action: MachineAction = {
      id: randomUUID(),
      type: input.type,
      title: null,
      scope: input.scope,
      requestor: input.requestor,
      requestorComment: input.comment,
      status: 'Pending',
      machineId: machine.id,
      computerDnsName: machine.computerDnsName,
      creationDateTimeUtc: now,
      lastUpdateDateTimeUtc: now,
      cancellationRequestor: null,
      cancellationComment: null,
      cancellationDateTimeUtc: null,
      errorHResult: 0,
      requestSource: 'PublicApi',
      externalId: null,
      relatedFileInfo: input.relatedFileInfo ?? null,
      commands: [],
      troubleshootInfo: null,
    };
    tenant.machineActions.set(action.id, action);
    this.active.set(key(tenant.id, machine.id, action.type), action);
    const outcome = this.takeScript(action);
    if (outcome !== 'Succeeded') this.planned.set(action.id, outcome);
    if (outcome !== 'StayPending') {
      this.after(() => {
        if (action.status !== 'Pending') return;
        this.setStatus(action, 'InProgress');
        if (outcome !== 'StayInProgress') this.after(() => this.complete(tenant, action, outcome));
      });
    }
    return action;
  }

  /** The terminal status an action was scripted to reach (Succeeded when it was not scripted, or scripted to stay). */
  plannedStatus(action: MachineAction): MachineActionStatus {
    const outcome = this.planned.get(action.id);
    return outcome === undefined || outcome === 'StayPending' || outcome === 'StayInProgress' ? 'Succeeded' : outcome;
  }

  /** Ends an action now (no-op when it already ended). Success applies the isolation change to the machine. */
  complete(
    tenant: TenantData,
    action: MachineAction,
    status: MachineActionStatus,
    by?: { requestor: string; comment: string },
  ): void {
    if (TERMINAL_ACTION_STATUSES.includes(action.status)) return;
    if (status === 'Pending' || status === 'InProgress') {
      this.setStatus(action, status);
      return;
    }
    this.setStatus(action, status);
    this.active.delete(key(tenant.id, action.machineId, action.type));
    this.planned.delete(action.id);
    if (status === 'Cancelled') {
      action.cancellationRequestor = by?.requestor ?? 'Automation';
      action.cancellationComment = by?.comment ?? 'Cancelled';
      action.cancellationDateTimeUtc = action.lastUpdateDateTimeUtc;
    }
    if (status === 'Failed') action.errorHResult = -2147024891;
    if (status !== 'Succeeded') return;
    const machine = tenant.machines.get(action.machineId.toLowerCase());
    if (!machine) return;
    // What a succeeded action leaves on the machine, for tests to check.
    if (action.type === 'Isolate' || action.type === 'Unisolate')
      machine.isolationState = action.type === 'Isolate' ? ((action.scope ?? 'Full') as IsolationState) : 'NotIsolated';
    if (action.type === 'RestrictCodeExecution' || action.type === 'UnrestrictCodeExecution')
      machine.restrictionState = action.type === 'RestrictCodeExecution' ? 'Restricted' : 'NotRestricted';
    if (action.type === 'StopAndQuarantineFile' && action.relatedFileInfo)
      machine.quarantinedFiles.push(action.relatedFileInfo.fileIdentifier);
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.scripts = [];
    this.active.clear();
    this.planned.clear();
  }

  private setStatus(action: MachineAction, status: MachineActionStatus): void {
    action.status = status;
    action.lastUpdateDateTimeUtc = preciseNow();
  }

  private after(run: () => void): void {
    if (!Number.isFinite(this.transitionMs)) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, this.transitionMs);
    timer.unref();
    this.timers.add(timer);
  }

  private takeScript(action: MachineAction): ActionOutcome {
    const script = this.scripts.find(
      (s) => (!s.type || s.type === action.type) && (!s.machineId || s.machineId === action.machineId.toLowerCase()),
    );
    if (!script) return 'Succeeded';
    script.count -= 1;
    if (script.count <= 0) this.scripts = this.scripts.filter((s) => s !== script);
    return script.outcome;
  }
}

function key(tenantId: string, machineId: string, type: MachineActionType): string {
  return `${tenantId}|${machineId.toLowerCase()}|${type}`;
}
