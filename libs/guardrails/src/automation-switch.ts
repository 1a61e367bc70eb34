import { Injectable, Logger } from '@nestjs/common';
import { AuditLog } from '@riposte/audit';
import { ApprovalHolds } from './approval-holds.js';
import { SettingsStore } from './settings-store.js';

export interface AutomationState {
  paused: boolean;
  since: string | null;
  by: string | null;
  reason: string | null;
}

const KEY = 'automation';

/**
 * The kill switch: pauses every alert-fired run before its next destructive action. Nothing is
 * dropped: each such step is held (visible, and decidable one by one), and resuming releases
 * them all. Simple responses and runs started by hand are not held.
 */
@Injectable()
export class AutomationSwitch {
  private readonly logger = new Logger(AutomationSwitch.name);

  constructor(
    private readonly settings: SettingsStore,
    private readonly holds: ApprovalHolds,
    private readonly audit: AuditLog,
  ) {}

  async state(): Promise<AutomationState> {
    return (
      (await this.settings.get<AutomationState & Record<string, unknown>>(KEY)) ?? {
        paused: false,
        since: null,
        by: null,
        reason: null,
      }
    );
  }

  async pause(by: { name: string; role: string }, reason: string | null): Promise<AutomationState> {
    const state = { paused: true, since: new Date().toISOString(), by: by.name, reason };
    await this.settings.set(KEY, state, by.name);
    await this.audit.record({
      actor: by.name,
      actorRole: by.role,
      action: 'automation.pause',
      result: 'success',
      detail: { reason },
    });
    this.logger.warn(`Alert-fired automation paused by ${by.name}${reason ? `: ${reason}` : ''}.`);
    return state;
  }

  async resume(by: { name: string; role: string }): Promise<AutomationState & { released: number }> {
    const state = { paused: false, since: new Date().toISOString(), by: by.name, reason: null };
    await this.settings.set(KEY, state, by.name);
    const released = await this.holds.approveAll('paused', by.name);
    await this.audit.record({
      actor: by.name,
      actorRole: by.role,
      action: 'automation.resume',
      result: 'success',
      detail: { released: released.length },
    });
    this.logger.warn(`Alert-fired automation resumed by ${by.name}; ${released.length} held run(s) go on.`);
    return { ...state, released: released.length };
  }
}
