import type { RunContext } from '@riposte/playbooks';
import type { RunEntity } from '@riposte/persistence';

/**
 * The run's machine snapshot as stored in `runs.snapshot`: XState's persisted snapshot without
 * the context's `inputs` and `alert`. No transition changes those two (they are the run's
 * `input`, set when it was created), and the alert is most of the snapshot's size: leaving it
 * out spares serializing and rewriting it at every journal write. `restoreSnapshot` puts them
 * back from the run row, so a restored machine sees the same context as before.
 */
export function snapshotText(persisted: unknown): string {
  const snapshot = persisted as { context?: Record<string, unknown> };
  if (!snapshot.context) return JSON.stringify(snapshot);
  // `undefined` members are left out by JSON.stringify: a shallow copy, no walk of the context.
  return JSON.stringify({ ...snapshot, context: { ...snapshot.context, inputs: undefined, alert: undefined } });
}

/** A stored snapshot with its context whole again (a snapshot written before this form kept them itself). */
export function restoreSnapshot(text: string, run: RunEntity): { context: RunContext } {
  const snapshot = JSON.parse(text) as { context: RunContext };
  const initial = initialContext(run);
  if (snapshot.context.inputs === undefined) snapshot.context.inputs = initial.inputs;
  if (snapshot.context.alert === undefined) snapshot.context.alert = initial.alert;
  return snapshot;
}

/** The context a run's machine starts with: its inputs and alert (from the run's `input`) and who it is. */
export function initialContext(run: RunEntity): RunContext {
  const input = (run.input ?? {}) as { inputs?: Record<string, unknown>; alert?: unknown };
  return {
    inputs: input.inputs ?? {},
    alert: input.alert ?? null,
    run: { id: run.id, playbook: run.playbookId ?? '', version: run.playbookVersion ?? 0, dryRun: run.dryRun },
    steps: {},
    timers: {},
    failure: null,
    outcome: null,
  };
}
