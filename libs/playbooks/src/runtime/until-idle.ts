import type { AnyActorRef } from 'xstate';
import type { CompiledPlaybook } from '../compiler/compile.js';
import { expressionData, type RunContext } from '../compiler/run-context.js';
import { resolveValue } from '../expressions/template.js';

/** How a run stands when it can go no further on its own (not the effect ledger's settling of a call). */
export type Idle = 'done' | 'waiting' | 'error';

/**
 * Resolves when the run can go no further on its own: it is done, or nothing is in flight
 * (no invoked actor) and it waits for an approval or a timer.
 */
export function untilIdle(actor: AnyActorRef): Promise<Idle> {
  return new Promise<Idle>((resolve) => {
    const check = (snapshot: { status: string; children: Record<string, unknown> }): boolean => {
      if (snapshot.status === 'done') resolve('done');
      else if (snapshot.status === 'error' || snapshot.status === 'stopped') resolve('error');
      else if (Object.keys(snapshot.children).length === 0) resolve('waiting');
      else return false;
      return true;
    };
    if (check(actor.getSnapshot())) return;
    const subscription = actor.subscribe({
      next: (snapshot) => {
        if (check(snapshot)) subscription.unsubscribe();
      },
      error: () => {
        resolve('error');
        subscription.unsubscribe();
      },
    });
  });
}

/** The run's outputs, evaluated on its final context. */
export async function evaluateOutputs(
  compiled: CompiledPlaybook,
  context: RunContext,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const data = expressionData(context);
  for (const [key, value] of Object.entries(compiled.index.outputs)) {
    try {
      out[key] = (await resolveValue(value, data)) ?? null;
    } catch (error) {
      out[key] = null;
      out[`${key}Error`] = (error as Error).message;
    }
  }
  return out;
}

/** The statuses a run's machine can end or pause in. */
export function runOutcome(snapshot: {
  status: string;
  value: unknown;
  context: RunContext;
}): 'succeeded' | 'failed' | 'waiting' | 'running' {
  if (snapshot.status === 'done') return snapshot.value === 'succeeded' ? 'succeeded' : 'failed';
  return Object.keys(snapshot.context.steps).some((k) => snapshot.context.steps[k]?.status === 'waiting')
    ? 'waiting'
    : 'running';
}
