import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { RunScheduler } from '../run-scheduler.js';

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Wakes parked runs when their next timer is due (a wait, an approval timeout). One JS timer
 * for the earliest, so ten thousand waiting runs cost a map entry each, not a timer each.
 */
@Injectable()
export class RunTimers implements OnModuleDestroy {
  private readonly due = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;

  constructor(private readonly scheduler: RunScheduler) {}

  set(runId: string, at: number | null): void {
    if (at === null) this.due.delete(runId);
    else this.due.set(runId, at);
    this.arm();
  }

  clear(runId: string): void {
    this.due.delete(runId);
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
  }

  private arm(): void {
    let next = Number.POSITIVE_INFINITY;
    for (const at of this.due.values()) if (at < next) next = at;
    if (next === this.armedFor) return;
    clearTimeout(this.timer);
    this.armedFor = next;
    if (!Number.isFinite(next)) return;
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_TIMEOUT_MS, Math.max(0, next - Date.now())));
    this.timer.unref();
  }

  private fire(): void {
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (const [runId, at] of this.due) {
      if (at <= now) {
        this.due.delete(runId);
        this.scheduler.schedule(runId, 'playbook');
      }
    }
    this.arm();
  }
}
