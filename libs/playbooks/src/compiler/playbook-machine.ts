import { type ActorSystem, type AnyActorRef, assign, fromPromise, raise, setup, type AnyStateMachine } from 'xstate';
import type { StateConfig } from './machine-config.js';
import { type RiposteEvent, type RunContext, StepFailure, type StepState, type WorkResult } from './run-context.js';

/** Names of the actors every machine may invoke, besides one per action id. */
export const CORE_ACTORS = ['evaluate', 'prepare', 'forEach', 'call'] as const;

type Params = Record<string, unknown>;
/** Any event the machine handles: actor results (output/error) and the runtime's own events, flattened. */
type Event = {
  type: string;
  output?: unknown;
  error?: unknown;
  step?: string;
  decision?: 'approve' | 'reject';
  by?: string;
  comment?: string | null;
  parallel?: string;
};
type Args = { context: RunContext; event: Event };

const now = () => new Date().toISOString();
const patchStep = (context: RunContext, step: string, patch: Partial<StepState>) => ({
  steps: { ...context.steps, [step]: { ...context.steps[step], ...patch } as StepState },
});
const withoutTimer = (context: RunContext, step: string) =>
  Object.fromEntries(Object.entries(context.timers).filter(([k]) => k !== step));

function failureOf(error: unknown): { code: string; message: string; attempts?: number } {
  if (error instanceof StepFailure) return { code: error.code, message: error.message, attempts: error.attempts };
  const e = error as { code?: unknown; message?: unknown; attempts?: unknown } | undefined;
  return {
    code: typeof e?.code === 'string' ? e.code : 'internal_error',
    message: typeof e?.message === 'string' ? e.message : String(error),
    ...(typeof e?.attempts === 'number' ? { attempts: e.attempts } : {}),
  };
}

/** What each invoked actor of one run does, by actor name: the work of the run's host. */
export type StepWork = Record<string, (args: { input: never; signal: AbortSignal }) => Promise<unknown>>;

const attached = new WeakMap<ActorSystem<never>, StepWork>();

/**
 * Gives a run (an actor made from a playbook machine, not yet started) the work its actors do.
 * A machine is built once per playbook version and shared by its runs: each run's actors find
 * their own work through the run's actor system. (`machine.provide` would build the whole
 * machine again for every run: for a 500-step playbook, a stall of the event loop per run.)
 */
export function attachWork(actor: AnyActorRef, work: StepWork): void {
  attached.set(actor.system as ActorSystem<never>, work);
}

/**
 * The implementations the configuration names. Guards and actions are real and pure; the
 * actors hand their work to whatever the runtime (or a rehearsal) attached to the run, because
 * what they do (call Azure, wait for a child run) belongs to whoever runs the machine.
 */
export function createPlaybookMachine(config: StateConfig, actionIds: string[]): AnyStateMachine {
  const dispatch = (name: string) =>
    fromPromise<unknown, never>(async ({ input, signal, system }) => {
      const work = attached.get(system as ActorSystem<never>)?.[name];
      if (!work) throw new Error('This run has no runtime attached: attach its step work.');
      return work({ input, signal });
    });
  const actors = Object.fromEntries([...CORE_ACTORS, ...actionIds].map((name) => [name, dispatch(name)]));

  const machine = setup({
    types: {} as { context: RunContext; input: RunContext; events: RiposteEvent },
    actors,
    guards: {
      outputIsTrue: ({ event }: Args) => Boolean(event.output),
      outputIs: ({ event }: Args, params: Params) => event.output === params.value,
      approvalIs: ({ event }: Args, params: Params) => event.step === params.step && event.decision === params.decision,
      timerFor: ({ event }: Args, params: Params) => event.step === params.step,
      parallelIs: ({ event }: Args, params: Params) => event.parallel === params.parallel,
    },
    actions: {
      stepStarted: assign(({ context }: Args, params: Params) =>
        patchStep(context, params.step as string, {
          status: 'running',
          startedAt: now(),
          endedAt: undefined,
          error: undefined,
        }),
      ),
      stepSkipped: assign(({ context }: Args, params: Params) =>
        patchStep(context, params.step as string, { status: 'skipped', endedAt: now() }),
      ),
      stepSucceeded: assign(({ context, event }: Args, params: Params) => {
        const result = (event.output ?? {}) as Partial<WorkResult>;
        const output =
          'chose' in params
            ? { chose: params.chose }
            : 'join' in params
              ? { join: params.join }
              : (result.output ?? null);
        return patchStep(context, params.step as string, {
          status: 'succeeded',
          endedAt: now(),
          output,
          ...(result.attempts ? { attempts: result.attempts } : {}),
        });
      }),
      stepFailed: assign(({ context, event }: Args, params: Params) => {
        const { attempts, ...error } = failureOf(event.error);
        return {
          ...patchStep(context, params.step as string, {
            status: 'failed',
            endedAt: now(),
            error,
            ...(attempts ? { attempts } : {}),
          }),
          ...(params.endsRun ? { failure: { step: params.step as string, ...error } } : {}),
        };
      }),
      approvalRequested: assign(({ context, event }: Args, params: Params) => {
        const request = event.output as {
          prompt: string;
          approvers: string[];
          deadline: number | null;
          channel?: string;
        };
        const step = params.step as string;
        return {
          ...patchStep(context, step, {
            status: 'waiting',
            approval: {
              prompt: request.prompt,
              approvers: request.approvers,
              deadline: request.deadline ? new Date(request.deadline).toISOString() : null,
              ...(request.channel ? { channel: request.channel } : {}),
            },
          }),
          timers: request.deadline ? { ...context.timers, [step]: request.deadline } : context.timers,
        };
      }),
      approvalDecided: assign(({ context, event }: Args, params: Params) => {
        const step = params.step as string;
        const decision = (params.decision ?? event.decision) as 'approve' | 'reject';
        const approval = {
          ...(context.steps[step]?.approval as StepState['approval']),
          decision,
          by: params.timeout ? 'timeout' : (event.by ?? 'unknown'),
          comment: event.comment ?? null,
          at: now(),
          timedOut: Boolean(params.timeout),
        } as NonNullable<StepState['approval']>;
        const output = { decision, by: approval.by, comment: approval.comment, timedOut: approval.timedOut };
        const error =
          decision === 'reject'
            ? {
                code: params.timeout ? 'approval_timed_out' : 'approval_rejected',
                message: params.timeout
                  ? 'Nobody decided before the approval timed out.'
                  : `Rejected by ${approval.by}${approval.comment ? `: ${approval.comment}` : '.'}`,
              }
            : undefined;
        return {
          ...patchStep(context, step, {
            status: decision === 'approve' ? 'succeeded' : 'failed',
            endedAt: now(),
            approval,
            output,
            ...(error ? { error } : {}),
          }),
          timers: withoutTimer(context, step),
          ...(params.endsRun && error ? { failure: { step, ...error } } : {}),
        };
      }),
      timerSet: assign(({ context, event }: Args, params: Params) => {
        const { deadline } = event.output as { deadline: number };
        const step = params.step as string;
        return {
          ...patchStep(context, step, { status: 'waiting', output: { until: new Date(deadline).toISOString() } }),
          timers: { ...context.timers, [step]: deadline },
        };
      }),
      timerElapsed: assign(({ context }: Args, params: Params) => ({
        ...patchStep(context, params.step as string, { status: 'succeeded', endedAt: now() }),
        timers: withoutTimer(context, params.step as string),
      })),
      runSucceededByStep: assign(({ context, event }: Args, params: Params) => ({
        ...patchStep(context, params.step as string, { status: 'succeeded', endedAt: now() }),
        outcome: {
          step: params.step as string,
          message: ((event.output as { message?: string }) ?? {}).message ?? null,
        },
      })),
      runFailedByStep: assign(({ context, event }: Args, params: Params) => {
        const { message, code } = (event.output ?? {}) as { message?: string; code?: string };
        const error = {
          code: code ?? 'failed_by_playbook',
          message: message ?? 'The playbook ended the run as failed.',
        };
        return {
          ...patchStep(context, params.step as string, { status: 'succeeded', endedAt: now(), output: error }),
          failure: { step: params.step as string, ...error },
        };
      }),
      branchDone: raise((_: Args, params: Params) => ({
        type: 'riposte.branchDone' as const,
        parallel: params.parallel as string,
      })),
    },
  } as never) as unknown as { createMachine(config: unknown): AnyStateMachine };

  return machine.createMachine({ ...config, context: ({ input }: { input: RunContext }) => input });
}
