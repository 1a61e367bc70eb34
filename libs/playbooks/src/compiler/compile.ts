import type { AnyStateMachine } from 'xstate';
import type { PlaybookDefinition } from '../definition.js';
import type { PlaybookIndex } from '../loader/step-index.js';
import { buildMachineConfig, type StateConfig } from './machine-config.js';
import { createPlaybookMachine } from './playbook-machine.js';

export interface CompiledPlaybook {
  definition: PlaybookDefinition;
  index: PlaybookIndex;
  /** The machine configuration: plain JSON, implementations named. */
  config: StateConfig;
  /** `setup({ actors, guards, actions }).createMachine(config)`; actors are placeholders until provided. */
  readonly machine: AnyStateMachine;
  /** The action ids the playbook uses (its action actors). */
  actionIds: string[];
}

/** Definition (already checked by the loader) → machine. Pure and deterministic. */
export function compilePlaybook(definition: PlaybookDefinition, index: PlaybookIndex): CompiledPlaybook {
  const config = buildMachineConfig(index);
  const actionIds = [
    ...new Set([...index.steps.values()].flatMap((s) => ('action' in s.def && !s.inLoop ? [s.def.action] : []))),
  ].sort();
  let machine: AnyStateMachine | undefined;
  return {
    definition,
    index,
    config,
    // Made when a run or rehearsal first needs it (on the event loop, once per version): an alert matching triggers needs only the index.
    get machine() {
      machine ??= createPlaybookMachine(config, actionIds);
      return machine;
    },
    actionIds,
  };
}
