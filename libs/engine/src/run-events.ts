import { EventEmitter, once } from 'node:events';
import { Injectable } from '@nestjs/common';

/** In-process notice that a run reached an end, for `?wait=`. */
@Injectable()
export class RunEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  ended(runId: string): void {
    this.emitter.emit(runId);
  }

  /** Resolves true when the run ends within the time, false otherwise. */
  async waitForEnd(runId: string, timeoutMs: number): Promise<boolean> {
    try {
      await once(this.emitter, runId, { signal: AbortSignal.timeout(timeoutMs) });
      return true;
    } catch {
      return false;
    }
  }
}
