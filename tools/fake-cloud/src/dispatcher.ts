import { sleep } from './clock.js';
import type { FaultRegistry } from './faults.js';
import type { RequestRecorder } from './recorder.js';
import type { ServiceHandler } from './router.js';
import type { FakeRequest, FakeResponse, Service } from './types.js';

const RESET: FakeResponse = { status: 0, reset: true };

/**
 * The one path every cloud request takes, from the wire or from inside a `$batch`:
 * latency, then faults, then the service's routes, then the record.
 */
export class Dispatcher {
  constructor(
    private readonly handlers: Record<Service, ServiceHandler>,
    private readonly faults: FaultRegistry,
    private readonly recorder: RequestRecorder,
    private readonly latencyMs: number,
    /** Told of each request the moment it arrives, before its latency (benchmarks time calls by it). */
    private readonly onArrival: (req: FakeRequest) => void = () => undefined,
  ) {}

  async dispatch(req: FakeRequest): Promise<FakeResponse> {
    this.onArrival(req);
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const handle = this.handlers[req.service];
    const plan = this.faults.take(req);
    if (!plan) {
      const response = await handle(req);
      this.recorder.record(req, response.status);
      return response;
    }
    switch (plan.effect) {
      case 'before': {
        // Azure acts now; the answer (the real one or the fault's) leaves only after the delay.
        const real = await handle(req);
        const out = plan.respond?.(req) ?? real;
        this.recorder.record(req, out.status, plan.name);
        if (plan.delayMs > 0) await sleep(plan.delayMs);
        return out;
      }
      case 'after': {
        if (plan.delayMs > 0) await sleep(plan.delayMs);
        const real = await handle(req);
        const out = plan.respond?.(req) ?? real;
        this.recorder.record(req, out.status, plan.name);
        return out;
      }
      case 'late': {
        // Logged on arrival (received), applied after the delay.
        this.recorder.record(req, 202, plan.name);
        if (plan.delayMs > 0) await sleep(plan.delayMs);
        const real = await handle(req);
        return plan.respond?.(req) ?? real;
      }
      case 'none': {
        if (plan.delayMs > 0) await sleep(plan.delayMs);
        const out = plan.respond?.(req) ?? RESET;
        this.recorder.record(req, out.status, plan.name);
        return out;
      }
    }
  }
}
