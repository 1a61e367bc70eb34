import type { OnError } from '../definition.js';
import type { IndexedStep, PlaybookIndex } from '../loader/step-index.js';

/*
 * Definition → state machine configuration. Pure data: every guard, action and actor is named
 * (with params), so the configuration survives a JSON round trip and the same definition
 * always gives the same machine. Each step is a state `#step.<id>`; asynchronous work (actions,
 * expressions, loops, calls) is an invoked actor; approvals and waits are states that wait for
 * `riposte.approval` and `riposte.timer` events, which the runtime sends.
 */
export type StateConfig = Record<string, unknown>;

export const RUN_ID = 'run';
export const SUCCEEDED = `#${RUN_ID}.succeeded`;
export const FAILED = `#${RUN_ID}.failed`;
// XState reads dots in `#id` targets as paths, so ids use dashes (step ids never contain one).
export const stateId = (step: string) => `step-${step}`;
const target = (step: string) => `#${stateId(step)}`;
const act = (type: string, params: Record<string, unknown>) => ({ type, params });

export function buildMachineConfig(index: PlaybookIndex): StateConfig {
  const root = index.sequences.get('root') ?? [];
  return {
    id: RUN_ID,
    initial: root[0],
    states: { ...sequenceStates(root, SUCCEEDED, index), succeeded: { type: 'final' }, failed: { type: 'final' } },
  };
}

/** The states of a list of steps, each going on to the next, the last to `after`. */
function sequenceStates(ids: string[], after: string, index: PlaybookIndex): Record<string, StateConfig> {
  const states: Record<string, StateConfig> = {};
  ids.forEach((id, i) => {
    const step = index.steps.get(id);
    if (step) states[id] = stepState(step, ids[i + 1] ? target(ids[i + 1] as string) : after, index);
  });
  return states;
}

/** A nested list of steps as a compound state that ends in its own final state. */
function nestedSequence(sequence: string, index: PlaybookIndex, extra: StateConfig = {}): StateConfig {
  const ids = index.sequences.get(sequence) ?? [];
  const done = `done-${sequence.replace(/\//g, '-')}`;
  return {
    initial: ids[0],
    states: { ...sequenceStates(ids, `#${done}`, index), done: { id: done, type: 'final', ...extra } },
  };
}

function stepState(step: IndexedStep, next: string, index: PlaybookIndex): StateConfig {
  const body = stepBody(step, next, index);
  if (step.def.if === undefined) return { id: stateId(step.id), initial: 'run', states: { run: body } };
  return {
    id: stateId(step.id),
    initial: 'check',
    states: {
      check: {
        invoke: {
          id: `${step.id}.if`,
          src: 'evaluate',
          input: { step: step.id, field: 'if' },
          onDone: [
            { guard: 'outputIsTrue', target: 'run' },
            { target: next, actions: [act('stepSkipped', { step: step.id })] },
          ],
          onError: onError(step.id, 'fail', next),
        },
      },
      run: body,
    },
  };
}

function stepBody(step: IndexedStep, next: string, index: PlaybookIndex): StateConfig {
  const id = step.id;
  const def = step.def;
  const started = [act('stepStarted', { step: id })];
  const succeeded = (extra: Record<string, unknown> = {}) => [act('stepSucceeded', { step: id, ...extra })];
  const errors = onError(id, def.onError ?? 'fail', next);

  if ('action' in def) {
    return {
      entry: started,
      invoke: {
        id,
        src: def.action,
        input: { step: id },
        onDone: { target: next, actions: succeeded() },
        onError: errors,
      },
    };
  }
  if ('forEach' in def) {
    return {
      entry: started,
      invoke: {
        id,
        src: 'forEach',
        input: { step: id },
        onDone: { target: next, actions: succeeded() },
        onError: errors,
      },
    };
  }
  if ('call' in def) {
    return {
      entry: started,
      invoke: { id, src: 'call', input: { step: id }, onDone: { target: next, actions: succeeded() }, onError: errors },
    };
  }
  if ('parallel' in def) {
    const any = def.parallel.join === 'any';
    const regions: Record<string, StateConfig> = {};
    def.parallel.branches.forEach((_, n) => {
      regions[`branch${n}`] = nestedSequence(
        `${id}/${n}`,
        index,
        any ? { entry: [act('branchDone', { parallel: id })] } : {},
      );
    });
    return {
      type: 'parallel',
      entry: started,
      states: regions,
      ...(any
        ? {
            on: {
              'riposte.branchDone': {
                guard: { type: 'parallelIs', params: { parallel: id } },
                target: next,
                actions: succeeded({ join: 'any' }),
              },
            },
          }
        : { onDone: { target: next, actions: succeeded() } }),
    };
  }
  if ('branch' in def) {
    const cases: Record<string, StateConfig> = {};
    const choices: StateConfig[] = def.branch.cases.map((_, n) => ({
      guard: { type: 'outputIs', params: { value: n } },
      target: `case${n}`,
    }));
    def.branch.cases.forEach((_, n) => {
      cases[`case${n}`] = {
        ...nestedSequence(`${id}/case${n}`, index),
        onDone: { target: next, actions: succeeded({ chose: n }) },
      };
    });
    if (def.branch.otherwise) {
      cases.otherwise = {
        ...nestedSequence(`${id}/otherwise`, index),
        onDone: { target: next, actions: succeeded({ chose: 'otherwise' }) },
      };
      choices.push({ target: 'otherwise' });
    } else {
      choices.push({ target: next, actions: succeeded({ chose: null }) });
    }
    return {
      entry: started,
      initial: 'choose',
      states: {
        choose: {
          invoke: {
            id: `${id}.cases`,
            src: 'evaluate',
            input: { step: id, field: 'cases' },
            onDone: choices,
            onError: errors,
          },
        },
        ...cases,
      },
    };
  }
  if ('approval' in def) {
    const rejected = onError(id, def.approval.onReject ?? 'fail', next, 'approvalDecided');
    const timedOut =
      def.approval.onTimeout === 'approve'
        ? [
            {
              guard: { type: 'timerFor', params: { step: id } },
              target: next,
              actions: [act('approvalDecided', { step: id, timeout: true, decision: 'approve' })],
            },
          ]
        : onError(
            id,
            def.approval.onReject ?? 'fail',
            next,
            'approvalDecided',
            { type: 'timerFor', params: { step: id } },
            { timeout: true, decision: 'reject' },
          );
    return {
      entry: started,
      initial: 'request',
      states: {
        request: {
          invoke: {
            id: `${id}.request`,
            src: 'prepare',
            input: { step: id },
            onDone: { target: 'waiting', actions: [act('approvalRequested', { step: id })] },
            onError: errors,
          },
        },
        waiting: {
          on: {
            'riposte.approval': [
              {
                guard: { type: 'approvalIs', params: { step: id, decision: 'approve' } },
                target: next,
                actions: [act('approvalDecided', { step: id })],
              },
              ...withGuard(rejected, { type: 'approvalIs', params: { step: id, decision: 'reject' } }),
            ],
            'riposte.timer': timedOut,
          },
        },
      },
    };
  }
  if ('wait' in def) {
    return {
      entry: started,
      initial: 'schedule',
      states: {
        schedule: {
          invoke: {
            id: `${id}.schedule`,
            src: 'prepare',
            input: { step: id },
            onDone: { target: 'sleeping', actions: [act('timerSet', { step: id })] },
            onError: errors,
          },
        },
        sleeping: {
          on: {
            'riposte.timer': {
              guard: { type: 'timerFor', params: { step: id } },
              target: next,
              actions: [act('timerElapsed', { step: id })],
            },
          },
        },
      },
    };
  }
  if ('succeed' in def || 'fail' in def) {
    const ok = 'succeed' in def;
    return {
      entry: started,
      invoke: {
        id: `${id}.end`,
        src: 'prepare',
        input: { step: id },
        onDone: {
          target: ok ? SUCCEEDED : FAILED,
          actions: [act(ok ? 'runSucceededByStep' : 'runFailedByStep', { step: id })],
        },
        onError: errors,
      },
    };
  }
  throw new Error(`Step ${id} has no kind.`);
}

/** The transitions for a failure, by the step's on-error rule. */
function onError(
  step: string,
  rule: OnError,
  next: string,
  action = 'stepFailed',
  guard?: StateConfig,
  extra: Record<string, unknown> = {},
): StateConfig[] {
  const base = guard ? { guard } : {};
  if (rule === 'continue') return [{ ...base, target: next, actions: [act(action, { step, ...extra })] }];
  if (typeof rule === 'object')
    return [{ ...base, target: target(rule.goto), actions: [act(action, { step, ...extra })] }];
  return [{ ...base, target: FAILED, actions: [act(action, { step, endsRun: true, ...extra })] }];
}

function withGuard(transitions: StateConfig[], guard: StateConfig): StateConfig[] {
  return transitions.map((t) => ({ guard, ...t }));
}
