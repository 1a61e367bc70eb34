import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type { CompiledPlaybook } from '../compiler/compile.js';
import { CORE_ACTORS, type StepWork } from '../compiler/playbook-machine.js';
import { expressionData, StepFailure, type WorkResult } from '../compiler/run-context.js';
import type { ActionStep, RetryPolicy } from '../definition.js';
import { ExpressionError, resolveValue, type CompiledValue } from '../expressions/template.js';
import { DEFAULT_RETRY_ON } from '@riposte/errors';
import { parseDuration } from '@riposte/schema';
import type { IndexedStep } from '../loader/step-index.js';
import type { RunHost } from './run-host.js';

const MAX_LOOP_ITEMS = 1000;

type Args<I> = { input: I; signal: AbortSignal };

/** What the actors of one run do (see `attachWork`), through the run's host. */
export function createStepWork(compiled: CompiledPlaybook, host: RunHost): StepWork {
  const step = (id: string): IndexedStep => {
    const found = compiled.index.steps.get(id);
    if (!found) throw new StepFailure('internal_error', `Unknown step ${id}.`);
    return found;
  };
  const evaluate = async (value: CompiledValue | undefined, extra: Record<string, unknown> = {}) => {
    if (!value) return undefined;
    try {
      return await resolveValue(value, expressionData(host.context(), extra));
    } catch (error) {
      throw new StepFailure('expression_failed', error instanceof ExpressionError ? error.message : String(error));
    }
  };

  /** One action step, with its retry policy and timeout. Used by top-level steps and loop bodies alike. */
  const runAction = async (
    s: IndexedStep,
    stepKey: string,
    extra: Record<string, unknown>,
    signal: AbortSignal,
    fanOut = false,
  ): Promise<WorkResult> => {
    const def = s.def as ActionStep;
    const input = ((await evaluate(s.compiled.with, extra)) ?? {}) as Record<string, unknown>;
    const retry: RetryPolicy = def.retry ?? { attempts: 1 };
    const retryOn = new Set(retry.on ?? DEFAULT_RETRY_ON);
    const maxDelay = parseDuration(retry.maxBackoff ?? '10m');
    // A run parked between two attempts goes on where it stood: same count, same backoff.
    const resumed = host.takeRetry(stepKey);
    let delay = resumed?.delayMs ?? parseDuration(retry.backoff ?? '5s');
    if (resumed && resumed.dueAt > host.now()) await host.waitForRetry(stepKey, resumed, signal);
    for (let attempt = resumed?.attempt ?? 1; ; attempt++) {
      const attemptSignal = def.timeout
        ? AbortSignal.any([signal, AbortSignal.timeout(parseDuration(def.timeout))])
        : signal;
      try {
        const output = await host.executeAction(
          { stepId: s.id, stepKey, action: def.action, input, connection: def.connection, attempt, fanOut },
          attemptSignal,
        );
        return { output, attempts: attempt };
      } catch (error) {
        const failure =
          error instanceof StepFailure
            ? error
            : new StepFailure('internal_error', String((error as Error)?.message ?? error));
        const timedOut = !signal.aborted && attemptSignal.aborted;
        const code = timedOut ? 'step_timeout' : failure.code;
        const message = timedOut ? `The step took longer than its timeout of ${def.timeout}.` : failure.message;
        if (signal.aborted || attempt >= retry.attempts || !retryOn.has(code))
          throw new StepFailure(code, message, attempt);
        const next = Math.min(maxDelay, delay * (retry.factor ?? 2));
        await host.waitForRetry(stepKey, { attempt: attempt + 1, dueAt: host.now() + delay, delayMs: next }, signal);
        delay = next;
      }
    }
  };

  const actionWork = ({ input, signal }: Args<{ step: string }>) => runAction(step(input.step), input.step, {}, signal);

  const work: StepWork = {
    evaluate: async ({ input }: Args<{ step: string; field: string }>) => {
      const s = step(input.step);
      if (input.field === 'if') return Boolean(await evaluate(s.compiled.if));
      const count = 'branch' in s.def ? s.def.branch.cases.length : 0;
      for (let n = 0; n < count; n++) if (await evaluate(s.compiled[`case${n}`])) return n;
      return -1;
    },

    prepare: async ({ input }: Args<{ step: string }>) => {
      const s = step(input.step);
      const def = s.def;
      if ('approval' in def) {
        const prompt = await evaluate(s.compiled.prompt);
        return {
          prompt: typeof prompt === 'string' ? prompt : JSON.stringify(prompt),
          approvers: def.approval.approvers ?? ['analyst'],
          deadline: def.approval.timeout ? host.now() + parseDuration(def.approval.timeout) : null,
          ...(def.approval.channel ? { channel: def.approval.channel } : {}),
        };
      }
      if ('wait' in def) {
        if (def.wait.duration) return { deadline: host.now() + parseDuration(def.wait.duration) };
        const until = await evaluate(s.compiled.until);
        const at = typeof until === 'string' || typeof until === 'number' ? new Date(until).getTime() : Number.NaN;
        if (!Number.isFinite(at))
          throw new StepFailure('invalid_time', `wait.until gave ${JSON.stringify(until)}, which is not a time.`);
        return { deadline: at };
      }
      if ('fail' in def) return { message: String((await evaluate(s.compiled.message)) ?? ''), code: def.fail.code };
      if ('succeed' in def) return { message: s.compiled.message ? String(await evaluate(s.compiled.message)) : null };
      throw new StepFailure('internal_error', `Nothing to prepare for step ${s.id}.`);
    },

    forEach: async ({ input, signal }: Args<{ step: string }>): Promise<WorkResult> => {
      const s = step(input.step);
      if (!('forEach' in s.def)) throw new StepFailure('internal_error', `${s.id} is not a forEach step.`);
      const items = await evaluate(s.compiled.items);
      if (!Array.isArray(items))
        throw new StepFailure(
          'invalid_items',
          `forEach needs a list; the items expression gave ${items === undefined ? 'nothing' : typeof items}.`,
        );
      if (items.length > MAX_LOOP_ITEMS)
        throw new StepFailure(
          'too_many_items',
          `forEach takes at most ${MAX_LOOP_ITEMS} items; this gave ${items.length}.`,
        );
      const body = (compiled.index.sequences.get(`${s.id}/body`) ?? []).map(step);
      // Read before any item starts, so items are recorded in their order, and once, not per item.
      const finished = await host.finishedLoopSteps(body.map((b) => b.id));
      const concurrency = s.def.forEach.concurrency ?? 5;
      const limit = pLimit(concurrency);
      const controller = new AbortController();
      // Every iteration in flight listens to this signal a few times (its HTTP call, its wait for a batch): not a leak.
      setMaxListeners(10 + 4 * concurrency, controller.signal);
      const stop = () => controller.abort(signal.reason);
      signal.addEventListener('abort', stop, { once: true });
      try {
        return {
          output: await Promise.all(
            items.map((item, index) => limit(() => runIteration(body, item, index, finished, controller.signal))),
          ).catch((error: unknown) => {
            controller.abort(error);
            throw error;
          }),
        };
      } finally {
        signal.removeEventListener('abort', stop);
      }
    },

    call: async ({ input, signal }: Args<{ step: string }>): Promise<WorkResult> => {
      const s = step(input.step);
      if (!('call' in s.def)) throw new StepFailure('internal_error', `${s.id} is not a call step.`);
      const inputs = ((await evaluate(s.compiled.inputs)) ?? {}) as Record<string, unknown>;
      return {
        output: await host.callPlaybook(
          { stepId: s.id, playbook: s.def.call.playbook, inputs, connection: s.def.call.connection },
          signal,
        ),
      };
    },
  };
  for (const id of compiled.actionIds) work[id] = actionWork;

  /** One item of a forEach: the body's steps in order, each recorded in the run's timeline as `<step>[n]`. */
  async function runIteration(
    body: IndexedStep[],
    item: unknown,
    index: number,
    finished: Map<string, { output: unknown }>,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const results: Record<string, { status: string; output: unknown; error: unknown }> = {};
    for (const s of body) {
      if (signal.aborted) throw new StepFailure('cancelled', 'The loop was stopped.');
      const stepKey = `${s.id}[${index}]`;
      const extra = () => ({ item, index, steps: { ...(expressionData(host.context()).steps as object), ...results } });
      const def = s.def as ActionStep;
      const done = finished.get(stepKey);
      if (done) {
        results[s.id] = { status: 'succeeded', output: done.output, error: null };
        continue;
      }
      if (s.compiled.if && !(await evaluate(s.compiled.if, extra()))) {
        results[s.id] = { status: 'skipped', output: null, error: null };
        await host.recordLoopStep(stepKey, { stepId: s.id, action: def.action, status: 'skipped' });
        continue;
      }
      await host.recordLoopStep(stepKey, { stepId: s.id, action: def.action, status: 'running' });
      try {
        const result = await runAction(s, stepKey, extra(), signal, true);
        results[s.id] = { status: 'succeeded', output: result.output, error: null };
        await host.recordLoopStep(stepKey, {
          stepId: s.id,
          action: def.action,
          status: 'succeeded',
          output: result.output,
          attempts: result.attempts,
        });
      } catch (error) {
        const failure = error as StepFailure;
        const err = { code: failure.code, message: failure.message };
        results[s.id] = { status: 'failed', output: null, error: err };
        await host.recordLoopStep(stepKey, {
          stepId: s.id,
          action: def.action,
          status: 'failed',
          error: err,
          attempts: failure.attempts,
        });
        if (def.onError === 'continue') continue;
        throw new StepFailure(
          failure.code,
          `Item ${index + 1} failed at step '${s.id}': ${failure.message}`,
          failure.attempts,
        );
      }
    }
    return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.output]));
  }

  return work;
}

export { CORE_ACTORS };
