import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { ActionCatalogue } from '@riposte/actions';
import { type RunContext, StepFailure } from '../compiler/run-context.js';
import { checkPlaybook, loadedPlaybook, loadPlaybook } from '../loader/playbook-loader.js';
import type { ActionCall, RetryWait, RunHost } from './run-host.js';
import { untilIdle } from './until-idle.js';
import { createStepWork } from './step-actors.js';
import { attachWork } from '../compiler/playbook-machine.js';

/*
 * The runtime around an in-memory host: what a durable host does with it (park on a wait, start
 * the step again from the saved wait) is played here without a database or a network.
 */
const actions = new ActionCatalogue().asLookup();
const T0 = Date.parse('2026-01-01T00:00:00Z');

function compiled(yaml: string) {
  const loaded = loadPlaybook(`id: t\nname: t\n${yaml}`, { file: 't.yaml', actions });
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  return loaded.playbook.compiled;
}

/** As a stored version is: checked (in the worker) as data, its expressions compiled on first use. */
function stored(yaml: string) {
  const checked = checkPlaybook(`id: t\nname: t\n${yaml}`, { file: 't.yaml', actions });
  if (!checked.ok) throw new Error(checked.errors.map((e) => e.message).join('\n'));
  return loadedPlaybook(structuredClone(checked.playbook)).compiled;
}

/** A host whose waits park (never settle) and are kept, as the durable host keeps them in the database. */
class InMemoryHost implements RunHost {
  readonly calls: ActionCall[] = [];
  readonly parked: { stepKey: string; wait: RetryWait }[] = [];
  readonly slept: RetryWait[] = [];
  clock = T0;
  actor: { getSnapshot(): { context: unknown } } | undefined;

  constructor(
    private readonly outcomes: (call: ActionCall) => unknown,
    private readonly saved: Map<string, RetryWait> = new Map(),
    private readonly parkFrom = 1_000,
  ) {}

  context(): RunContext {
    return this.actor?.getSnapshot().context as RunContext;
  }
  async executeAction(call: ActionCall): Promise<unknown> {
    this.calls.push(call);
    return this.outcomes(call);
  }
  async callPlaybook(): Promise<unknown> {
    return {};
  }
  async recordLoopStep(): Promise<void> {}
  async finishedLoopSteps(): Promise<Map<string, { output: unknown }>> {
    return new Map();
  }
  takeRetry(stepKey: string): RetryWait | null {
    const wait = this.saved.get(stepKey) ?? null;
    this.saved.delete(stepKey);
    return wait;
  }
  waitForRetry(stepKey: string, wait: RetryWait): Promise<void> {
    if (wait.dueAt - this.clock < this.parkFrom) {
      this.slept.push(wait);
      this.clock = wait.dueAt;
      return Promise.resolve();
    }
    this.parked.push({ stepKey, wait });
    return new Promise(() => undefined);
  }
  now(): number {
    return this.clock;
  }
}

const context = (): RunContext => ({
  inputs: {},
  alert: null,
  run: { id: 'r', playbook: 't', version: 1, dryRun: false },
  steps: {},
  timers: {},
  failure: null,
  outcome: null,
});

function start(machineOf: ReturnType<typeof compiled>, host: InMemoryHost) {
  const actor = createActor(machineOf.machine, { input: context() });
  attachWork(actor, createStepWork(machineOf, host));
  host.actor = actor;
  actor.start();
  return actor;
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setImmediate(r));
  expect(condition()).toBe(true);
};

const FLAKY =
  'steps:\n  - id: read\n    action: azure_ad.get_user\n    with: { user: u }\n    retry: { attempts: 4, backoff: 30s, factor: 2, on: [throttled] }\n';
const throttledOnce = (call: ActionCall) => {
  if (call.attempt === 1) throw new StepFailure('throttled', 'slow down');
  return { ok: call.attempt };
};

describe('retries around a host', () => {
  it('hands a long backoff to the host, which parks it, with the next attempt and its backoff', async () => {
    const playbook = compiled(FLAKY);
    const host = new InMemoryHost(throttledOnce);
    start(playbook, host);
    await until(() => host.parked.length === 1);
    expect(host.calls.map((c) => c.attempt)).toEqual([1]);
    expect(host.parked[0]).toEqual({ stepKey: 'read', wait: { attempt: 2, dueAt: T0 + 30_000, delayMs: 60_000 } });
  });

  it('goes on from a saved wait after a restart: the same count, no earlier call repeated', async () => {
    const playbook = compiled(FLAKY);
    // Woken before it is due: it parks again on the same wait and calls nothing.
    const early = new InMemoryHost(
      throttledOnce,
      new Map([['read', { attempt: 2, dueAt: T0 + 30_000, delayMs: 60_000 }]]),
    );
    start(playbook, early);
    await until(() => early.parked.length === 1);
    expect(early.calls).toEqual([]);
    expect(early.parked[0]?.wait.attempt).toBe(2);

    // Woken when due: the second attempt is made, and counted as the second.
    const due = new InMemoryHost(throttledOnce, new Map([['read', { attempt: 2, dueAt: T0, delayMs: 60_000 }]]));
    const actor = start(playbook, due);
    expect(await untilIdle(actor)).toBe('done');
    expect(due.calls.map((c) => c.attempt)).toEqual([2]);
    expect((actor.getSnapshot().context as RunContext).steps.read).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      output: { ok: 2 },
    });
  });

  it('sleeps through short backoffs in the call, growing by the factor up to the limit, then fails with the attempt count', async () => {
    const playbook = compiled(
      'steps:\n  - id: read\n    action: azure_ad.get_user\n    with: { user: u }\n    retry: { attempts: 3, backoff: 100ms, factor: 3, on: [throttled] }\n',
    );
    const host = new InMemoryHost(() => {
      throw new StepFailure('throttled', 'slow down');
    });
    const actor = start(playbook, host);
    expect(await untilIdle(actor)).toBe('done');
    expect(host.parked).toEqual([]);
    expect(host.slept.map((w) => [w.attempt, w.delayMs])).toEqual([
      [2, 300],
      [3, 900],
    ]);
    expect((actor.getSnapshot().context as RunContext).steps.read).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: { code: 'throttled' },
    });
  });
});

describe('one machine per version, shared by its runs', () => {
  it('gives each run its own host: runs of one machine at once never do each other’s work', async () => {
    const playbook = stored(
      'inputs:\n  user: { type: string }\nsteps:\n  - id: read\n    action: azure_ad.get_user\n    with: { user: "${{ inputs.user }}" }\n  - id: again\n    action: azure_ad.get_user\n    with: { user: "${{ steps.read.output.user }}" }\n',
    );
    const hosts = ['alice', 'bob', 'carol'].map((user) => {
      const host = new InMemoryHost((call) => ({ user: call.input.user }));
      const actor = createActor(playbook.machine, { input: { ...context(), inputs: { user } } });
      attachWork(actor, createStepWork(playbook, host));
      host.actor = actor;
      return { user, host, actor };
    });
    for (const { actor } of hosts) actor.start();
    for (const { actor } of hosts) expect(await untilIdle(actor)).toBe('done');
    for (const { user, host } of hosts) expect(host.calls.map((c) => c.input.user)).toEqual([user, user]);
  });

  it('a run with nothing attached fails its step with a clear error, not a hang', async () => {
    const playbook = compiled('steps:\n  - id: read\n    action: azure_ad.get_user\n    with: { user: u }\n');
    const actor = createActor(playbook.machine, { input: context() });
    actor.start();
    expect(await untilIdle(actor)).toBe('done');
    expect((actor.getSnapshot().context as RunContext).steps.read?.error?.message).toMatch(/no runtime attached/);
  });
});
