import { EventEmitter, once } from 'node:events';
import { Injectable } from '@nestjs/common';

/** In-process notice that a run reached an end, for `?wait=`. */
@Injectable()
export class RunEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  ended(runId: string): void {
    this.emitter.emit(runId);
  }

  /**
   * Resolves true when the run ends within the time, false otherwise (or when `signal` aborts).
   * Listens from the call on: call it before reading the run, or an end in between is missed.
   */
  async waitForEnd(runId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      await once(this.emitter, runId, { signal: signal ? AbortSignal.any([timeout, signal]) : timeout });
      return true;
    } catch {
      return false;
    }
  }
}
