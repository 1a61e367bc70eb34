import { createActor } from 'xstate';
import Type, { type Static } from 'typebox';
import { compileSchema, formatSchemaErrors } from '@riposte/schema';
import type { LoadedPlaybook } from '../loader/playbook-loader.js';
import { parseYaml } from '../loader/yaml-source.js';
import { type RunContext, StepFailure } from '../compiler/run-context.js';
import type { ActionCall, LoopStepRecord, RunHost } from '../runtime/run-host.js';
import { evaluateOutputs, untilIdle } from '../runtime/until-idle.js';
import { createStepWork } from '../runtime/step-actors.js';
import { attachWork } from '../compiler/playbook-machine.js';
import { ERROR_CODES, type ErrorCode } from '@riposte/errors';
import { closest } from '../loader/semantic-checks.js';

/*
 * Rehearsals: a playbook run with scripted action results instead of Azure, to check the path
 * it takes and what it returns. The format (YAML, one file per playbook):
 *
 *   playbook: compromised-account
 *   cases:
 *     - name: contains the account, isolates after approval
 *       alert: { … }                 # or inputs: { … }
 *       results:                      # by step key (`isolate[1]`) or step id; unlisted actions succeed with {}
 *         disable: { output: { accountEnabled: false } }
 *         isolate[1]: { error: { code: machine_action_failed } }
 *       approvals: { approve-isolation: approve }
 *       expect:
 *         status: succeeded
 *         path: [disable, revoke, approve-isolation, isolate[0], isolate[1], resolve-alert]
 *         outputs: { … }               # compared as a subset
 */
/** A scripted failure names a code Riposte really gives (docs/API.md, error codes), so the rehearsal tests a real path. */
const Code = Type.Unsafe<ErrorCode>({ type: 'string', enum: Object.keys(ERROR_CODES) });
const Result = Type.Object(
  {
    output: Type.Optional(Type.Unknown()),
    error: Type.Optional(
      Type.Object({ code: Code, message: Type.Optional(Type.String()) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
const Case = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    inputs: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    alert: Type.Optional(Type.Unknown()),
    connection: Type.Optional(Type.String()),
    results: Type.Optional(Type.Record(Type.String(), Result)),
    approvals: Type.Optional(Type.Record(Type.String(), Type.Enum(['approve', 'reject']))),
    expect: Type.Object(
      {
        status: Type.Enum(['succeeded', 'failed', 'waiting']),
        path: Type.Optional(Type.Array(Type.String())),
        skipped: Type.Optional(Type.Array(Type.String())),
        outputs: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        failure: Type.Optional(
          Type.Object(
            { step: Type.Optional(Type.String()), code: Type.Optional(Type.String()) },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export const RehearsalFileSchema = Type.Object(
  { playbook: Type.String({ minLength: 1 }), cases: Type.Array(Case, { minItems: 1 }) },
  { additionalProperties: false },
);
export type RehearsalFile = Static<typeof RehearsalFileSchema>;
export type RehearsalCase = Static<typeof Case>;

export interface RehearsalResult {
  name: string;
  passed: boolean;
  problems: string[];
  status: string;
  path: string[];
  outputs: Record<string, unknown>;
}

const validateFile = compileSchema<RehearsalFile>(RehearsalFileSchema);

export function parseRehearsalFile(text: string): { ok: true; file: RehearsalFile } | { ok: false; errors: string[] } {
  const parsed = parseYaml(text);
  if (!parsed.ok) return { ok: false, errors: parsed.problems.map((p) => `${p.line}:${p.column}: ${p.message}`) };
  const value = structuredClone(parsed.source.value);
  if (!validateFile(value)) {
    return {
      ok: false,
      errors: formatSchemaErrors(validateFile.errors).map((e) => {
        const at = parsed.source.locate(
          e.path
            .split('/')
            .slice(1)
            .map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
        );
        return `${at.line}:${at.column}: ${e.path} ${e.message}`;
      }),
    };
  }
  return { ok: true, file: value };
}

/** Runs one case to its end (or until it waits for something the case does not provide). */
export async function rehearse(playbook: LoadedPlaybook, testCase: RehearsalCase): Promise<RehearsalResult> {
  const compiled = playbook.compiled;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const path: string[] = [];
  const problems: string[] = unknownSteps(playbook, testCase);
  const loopSteps = new Map<string, LoopStepRecord>();
  const context: RunContext = {
    inputs: { ...defaultInputs(playbook), ...(testCase.inputs ?? {}) },
    alert: testCase.alert ?? null,
    run: { id: 'rehearsal', playbook: playbook.definition.id, version: 1, dryRun: false },
    steps: {},
    timers: {},
    failure: null,
    outcome: null,
  };
  // The host reads the actor's context; the actor needs the host's actors: a holder breaks the cycle.
  const live: { actor?: ReturnType<typeof createActor> } = {};
  const host: RunHost = {
    context: () => live.actor?.getSnapshot().context as RunContext,
    async executeAction(call: ActionCall) {
      if (!path.includes(call.stepKey)) path.push(call.stepKey);
      const scripted = testCase.results?.[call.stepKey] ?? testCase.results?.[call.stepId];
      if (scripted?.error)
        throw new StepFailure(
          scripted.error.code,
          scripted.error.message ?? `Scripted failure (${scripted.error.code}).`,
        );
      return scripted?.output ?? {};
    },
    async callPlaybook(call) {
      if (!path.includes(call.stepId)) path.push(call.stepId);
      const scripted = testCase.results?.[call.stepId];
      if (scripted?.error) throw new StepFailure(scripted.error.code, scripted.error.message ?? 'Scripted failure.');
      return scripted?.output ?? {};
    },
    async recordLoopStep(stepKey, record) {
      loopSteps.set(stepKey, record);
    },
    async finishedLoopSteps() {
      return new Map();
    },
    takeRetry: () => null,
    async waitForRetry(_stepKey, wait) {
      clock = Math.max(clock, wait.dueAt);
    },
    now: () => clock,
  };
  const actor = createActor(compiled.machine, { input: context });
  attachWork(actor, createStepWork(compiled, host));
  live.actor = actor;
  actor.start();

  for (let rounds = 0; rounds < 1000; rounds++) {
    const state = await untilIdle(actor);
    if (state !== 'waiting') break;
    const ctx = actor.getSnapshot().context as RunContext;
    const waiting = Object.entries(ctx.steps).filter(([, s]) => s.status === 'waiting');
    const approval = waiting.find(([id, s]) => s.approval && testCase.approvals?.[id]);
    if (approval) {
      path.push(approval[0]);
      actor.send({
        type: 'riposte.approval',
        step: approval[0],
        decision: testCase.approvals?.[approval[0]] as 'approve' | 'reject',
        by: 'rehearsal',
      });
      continue;
    }
    const timers = Object.entries(ctx.timers).sort((a, b) => a[1] - b[1]);
    const [nextTimer] = timers;
    const waitingOnTimerOnly = waiting.every(([id, s]) => !s.approval || ctx.timers[id] !== undefined);
    if (nextTimer && waitingOnTimerOnly) {
      clock = Math.max(clock, nextTimer[1]);
      if (!ctx.steps[nextTimer[0]]?.approval) path.push(nextTimer[0]);
      actor.send({ type: 'riposte.timer', step: nextTimer[0] });
      continue;
    }
    break;
  }

  const snapshot = actor.getSnapshot();
  const ctx = snapshot.context as RunContext;
  const status = snapshot.status === 'done' ? (snapshot.value === 'succeeded' ? 'succeeded' : 'failed') : 'waiting';
  const outputs = snapshot.status === 'done' ? await evaluateOutputs(compiled, ctx) : {};
  actor.stop();

  const expected = testCase.expect;
  if (status !== expected.status)
    problems.push(
      `expected status ${expected.status}, got ${status}${ctx.failure ? ` (${ctx.failure.code} at ${ctx.failure.step}: ${ctx.failure.message})` : ''}`,
    );
  if (expected.path && JSON.stringify(expected.path) !== JSON.stringify(path))
    problems.push(`expected path ${expected.path.join(' → ')}, got ${path.join(' → ') || '(nothing)'}`);
  if (expected.skipped) {
    const skipped = [
      ...Object.entries(ctx.steps)
        .filter(([, s]) => s.status === 'skipped')
        .map(([id]) => id),
      ...[...loopSteps].filter(([, r]) => r.status === 'skipped').map(([k]) => k),
    ];
    if (JSON.stringify([...expected.skipped].sort()) !== JSON.stringify(skipped.sort()))
      problems.push(`expected skipped ${expected.skipped.join(', ')}, got ${skipped.join(', ') || '(none)'}`);
  }
  for (const [key, value] of Object.entries(expected.outputs ?? {})) {
    if (JSON.stringify(outputs[key]) !== JSON.stringify(value))
      problems.push(`expected output ${key} = ${JSON.stringify(value)}, got ${JSON.stringify(outputs[key])}`);
  }
  if (expected.failure) {
    if (expected.failure.step && ctx.failure?.step !== expected.failure.step)
      problems.push(`expected the run to fail at ${expected.failure.step}, got ${ctx.failure?.step ?? 'no failure'}`);
    if (expected.failure.code && ctx.failure?.code !== expected.failure.code)
      problems.push(`expected failure code ${expected.failure.code}, got ${ctx.failure?.code ?? 'none'}`);
  }
  return { name: testCase.name, passed: problems.length === 0, problems, status, path, outputs };
}

function defaultInputs(playbook: LoadedPlaybook): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(playbook.definition.inputs)
      .filter(([, d]) => d.default !== undefined)
      .map(([k, d]) => [k, d.default]),
  );
}

/**
 * Step names the case gives that the playbook does not have (a typo would otherwise script a
 * result or a decision nobody asks for, and the case would test something else), each with the
 * nearest name.
 */
export function unknownSteps(playbook: LoadedPlaybook, testCase: RehearsalCase): string[] {
  const steps = playbook.compiled.index.steps;
  const ids = [...steps.keys()];
  const approvals = ids.filter((id) => steps.get(id)?.kind === 'approval');
  const problems: string[] = [];
  const check = (where: string, name: string, candidates: string[], what: string) => {
    const id = name.replace(/\[\d+\]$/, '');
    if (candidates.includes(id)) return;
    const near = closest(id, candidates);
    problems.push(
      `${where}: '${name}' is not ${what} of playbook ${playbook.definition.id}.${near ? ` Did you mean '${near}'?` : ''}${candidates.length <= 20 ? ` Known: ${candidates.join(', ') || '(none)'}.` : ''}`,
    );
  };
  for (const name of Object.keys(testCase.results ?? {})) check('results', name, ids, 'a step');
  for (const name of Object.keys(testCase.approvals ?? {})) check('approvals', name, approvals, 'an approval step');
  for (const name of testCase.expect.path ?? []) check('expect.path', name, ids, 'a step');
  for (const name of testCase.expect.skipped ?? []) check('expect.skipped', name, ids, 'a step');
  if (testCase.expect.failure?.step) check('expect.failure.step', testCase.expect.failure.step, ids, 'a step');
  const outputs = Object.keys(playbook.definition.outputs);
  for (const name of Object.keys(testCase.expect.outputs ?? {})) {
    if (outputs.includes(name)) continue;
    const near = closest(name, outputs);
    problems.push(
      `expect.outputs: '${name}' is not an output of playbook ${playbook.definition.id}.${near ? ` Did you mean '${near}'?` : ''} Known: ${outputs.join(', ') || '(none)'}.`,
    );
  }
  return problems;
}
