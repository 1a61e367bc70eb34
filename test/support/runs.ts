import type { NewRun, RunKind } from '@riposte/engine';

/** A run an analyst started through the API, as the engine's specs create it. */
export function analystRun(kind: RunKind): NewRun {
  return { kind, triggerType: 'api', triggerBy: 'test', triggerRole: 'analyst', connectionTarget: null, dryRun: false };
}
