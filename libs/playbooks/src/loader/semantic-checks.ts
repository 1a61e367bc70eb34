import { titleMatcher } from '../expressions/linear-regex.js';
import { compileSchema, type Validator } from '@riposte/schema';
import type { ActionLookup } from '../action-lookup.js';
import {
  type InputDefinition,
  type OnError,
  type PlaybookDefinition,
  STEP_KINDS,
  type StepDefinition,
  walkSteps,
} from '../definition.js';
import { expressionsIn } from '../expressions/template.js';
import type { PlaybookIndex } from './step-index.js';
import type { Problem } from './problem.js';
import { ALERT_VOCABULARIES, type VocabularyField } from './alert-vocabularies.js';

const MAX_STEPS = 500;
const APPROVER_ROLES = new Set(['viewer', 'analyst', 'author', 'admin']);
const ACTION_ONLY_FIELDS = ['with', 'connection', 'retry'] as const;

/** The checks JSON Schema cannot express: step kinds, actions and their inputs, jumps, reachability. */
export function checkSemantics(
  definition: PlaybookDefinition,
  index: PlaybookIndex,
  actions: ActionLookup,
  problems: Problem[],
): void {
  if (index.steps.size > MAX_STEPS)
    problems.push({
      path: ['steps'],
      message: `A playbook may have at most ${MAX_STEPS} steps; split it and use call.`,
    });
  // Every step as written (duplicates included), for the checks of the step itself.
  for (const { step: def, path } of walkSteps(definition.steps)) {
    checkKind(def, path, problems);
    if ('action' in def) checkAction(def, path, actions, problems);
    if (path.includes('forEach') && !('action' in def)) {
      problems.push({
        path,
        message: `Only action steps can run inside forEach; move step '${def.id}' out of the loop.`,
      });
    }
    if ('approval' in def) checkApprovers(def.approval.approvers ?? [], [...path, 'approval', 'approvers'], problems);
    if ('call' in def && def.call.playbook === definition.id)
      problems.push({ path: [...path, 'call', 'playbook'], message: 'A playbook cannot call itself.' });
    if ('wait' in def && def.wait.duration === undefined && def.wait.until === undefined)
      problems.push({ path: [...path, 'wait'], message: 'A wait needs a duration or an until time.' });
  }
  // The indexed steps, for what depends on the playbook's shape.
  for (const step of index.steps.values()) {
    const onError = step.def.onError;
    if (onError) checkJump(onError, [...step.path, 'onError'], step.id, index, problems);
    if ('approval' in step.def && step.def.approval.onReject)
      checkJump(step.def.approval.onReject, [...step.path, 'approval', 'onReject'], step.id, index, problems);
  }
  checkReachability(index, problems);
  checkInputs(definition.inputs ?? {}, problems);
  (definition.triggers ?? []).forEach((trigger, i) => {
    checkVocabularies(trigger.alert as Partial<Record<VocabularyField, unknown>>, ['triggers', i, 'alert'], problems);
    const title = trigger.alert.title;
    if (title && typeof title === 'object' && 'regex' in title) {
      try {
        titleMatcher(title);
      } catch (error) {
        problems.push({
          path: ['triggers', i, 'alert', 'title', 'regex'],
          message: `Invalid regular expression: ${(error as Error).message}`,
        });
      }
    }
  });
}

/** A trigger value that no alert carries never matches: an error, with the nearest known value. */
function checkVocabularies(
  matcher: Partial<Record<VocabularyField, unknown>>,
  path: (string | number)[],
  problems: Problem[],
): void {
  for (const [field, known] of Object.entries(ALERT_VOCABULARIES) as [VocabularyField, readonly string[]][]) {
    const values = matcher[field];
    if (!Array.isArray(values)) continue;
    const lower = new Map(known.map((k) => [k.toLowerCase(), k]));
    values.forEach((value, j) => {
      if (typeof value !== 'string' || lower.has(value.toLowerCase())) return;
      const near = closest(value.toLowerCase(), [...lower.keys()]);
      const hint = near ? ` Did you mean '${lower.get(near)}'?` : '';
      problems.push({
        path: [...path, field, j],
        message: `No alert has ${field} '${value}', so this trigger would never fire.${hint} Known: ${known.join(', ')}.`,
      });
    });
  }
}

function checkKind(step: StepDefinition, path: (string | number)[], problems: Problem[]): void {
  const kinds = STEP_KINDS.filter((k) => k in step);
  if (kinds.length === 0)
    problems.push({ path, message: `Step '${step.id}' does nothing: give it one of ${STEP_KINDS.join(', ')}.` });
  if (kinds.length > 1)
    problems.push({
      path: [...path, kinds[1] as string],
      key: true,
      message: `A step does one thing, but '${step.id}' has ${kinds.join(' and ')}; split it into ${kinds.length} steps.`,
    });
  if (!('action' in step)) {
    for (const field of ACTION_ONLY_FIELDS)
      if (field in step)
        problems.push({ path: [...path, field], key: true, message: `'${field}' only applies to action steps.` });
  }
}

const inputValidators = new Map<string, Validator<unknown>>();

/** The action exists, and `with:` fits its input schema (literal values checked; expressions checked at run time). */
function checkAction(
  step: Extract<StepDefinition, { action: string }>,
  path: (string | number)[],
  actions: ActionLookup,
  problems: Problem[],
): void {
  const action = actions.get(step.action);
  if (!action) {
    const suggestion = closest(step.action, actions.ids());
    problems.push({
      path: [...path, 'action'],
      message: `Unknown action '${step.action}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} GET /api/v1/actions lists them.`,
    });
    return;
  }
  const schema = action.inputSchema as {
    properties?: Record<string, object>;
    required?: string[];
    additionalProperties?: boolean;
  };
  const given = step.with ?? {};
  for (const name of schema.required ?? []) {
    if (!(name in given))
      problems.push({
        path: [...path, 'with'],
        message: `Action ${step.action} needs input '${name}'; add it under with:.`,
      });
  }
  for (const [name, value] of Object.entries(given)) {
    const property = schema.properties?.[name];
    if (!property) {
      if (schema.additionalProperties === false)
        problems.push({
          path: [...path, 'with', name],
          key: true,
          message: `Action ${step.action} has no input '${name}'; it takes ${Object.keys(schema.properties ?? {}).join(', ')}.`,
        });
      continue;
    }
    if (JSON.stringify(value).includes('${{')) continue;
    const key = `${step.action}#${name}`;
    let validate = inputValidators.get(key);
    if (!validate) {
      validate = compileSchema(property);
      inputValidators.set(key, validate);
    }
    if (!validate(structuredClone(value)))
      problems.push({
        path: [...path, 'with', name],
        message: `Input '${name}' of ${step.action} ${validate.errors?.[0]?.message ?? 'is invalid'}.`,
      });
  }
}

function checkApprovers(approvers: string[], path: (string | number)[], problems: Problem[]): void {
  approvers.forEach((approver, i) => {
    if (!APPROVER_ROLES.has(approver) && !/^key:.+/.test(approver))
      problems.push({
        path: [...path, i],
        message: `'${approver}' is neither a role (${[...APPROVER_ROLES].join(', ')}) nor an API key name written key:<name>.`,
      });
  });
}

/**
 * A jump goes forward, to a step in the same list or an enclosing one. Backward jumps would
 * make loops (playbooks loop only with forEach and retry, which are bounded); jumps into a
 * branch or out of a forEach body would have no meaning.
 */
function checkJump(
  onError: OnError,
  path: (string | number)[],
  from: string,
  index: PlaybookIndex,
  problems: Problem[],
): void {
  if (typeof onError !== 'object') return;
  const source = index.steps.get(from);
  const target = index.steps.get(onError.goto);
  if (!source) return;
  if (source.inLoop) {
    problems.push({ path: [...path, 'goto'], message: 'Inside forEach, onError can be fail or continue, not goto.' });
    return;
  }
  if (!target) {
    problems.push({
      path: [...path, 'goto'],
      message: `There is no step '${onError.goto}' to go to.${suggest(onError.goto, [...index.steps.keys()])}`,
    });
    return;
  }
  if (target.order <= source.order) {
    problems.push({
      path: [...path, 'goto'],
      message: `Going back to '${target.id}' would make a loop; playbooks repeat only with retry or forEach. Jump forward instead.`,
    });
    return;
  }
  const enclosing = new Set(['root', ...sequencesOf(source, index)]);
  if (!enclosing.has(target.sequence)) {
    problems.push({
      path: [...path, 'goto'],
      message: `'${target.id}' is inside a parallel branch, a case or a loop that '${from}' is not in; jump only to steps of the same list or an enclosing one.`,
    });
  }
}

function sequencesOf(step: { sequence: string; ancestors: string[] }, index: PlaybookIndex): string[] {
  const out = [step.sequence];
  for (const ancestor of step.ancestors) {
    const a = index.steps.get(ancestor);
    if (a) out.push(a.sequence);
  }
  return out;
}

/** Steps after a succeed or fail in the same list are dead unless something jumps to them. */
function checkReachability(index: PlaybookIndex, problems: Problem[]): void {
  const jumpTargets = new Set<string>();
  for (const step of index.steps.values()) {
    const targets = [step.def.onError, 'approval' in step.def ? step.def.approval.onReject : undefined];
    for (const t of targets) if (t && typeof t === 'object') jumpTargets.add(t.goto);
  }
  for (const ids of index.sequences.values()) {
    let dead = false;
    for (const id of ids) {
      const step = index.steps.get(id);
      if (!step) continue;
      if (dead && !jumpTargets.has(id)) {
        problems.push({
          path: step.path,
          message: `Step '${id}' can never run: the step before it ends the run. Remove it, or jump to it.`,
        });
        continue;
      }
      dead = (step.kind === 'succeed' || step.kind === 'fail') && step.def.if === undefined;
    }
  }
}

function checkInputs(inputs: Record<string, InputDefinition>, problems: Problem[]): void {
  for (const [name, input] of Object.entries(inputs)) {
    if (input.default !== undefined && !fitsType(input.default, input.type))
      problems.push({ path: ['inputs', name, 'default'], message: `The default of '${name}' is not a ${input.type}.` });
    if (
      input.enum &&
      input.default !== undefined &&
      !input.enum.some((v) => JSON.stringify(v) === JSON.stringify(input.default))
    )
      problems.push({
        path: ['inputs', name, 'default'],
        message: `The default of '${name}' is not one of its enum values.`,
      });
    if (input.items && input.type !== 'array')
      problems.push({
        path: ['inputs', name, 'items'],
        key: true,
        message: 'items only applies to inputs of type array.',
      });
  }
}

export function fitsType(value: unknown, type: InputDefinition['type']): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
  }
}

/** Every expression in the playbook, for tools that want them. */
export function allExpressions(index: PlaybookIndex) {
  return [...index.steps.values()].flatMap((s) =>
    Object.values(s.compiled).flatMap((v) => expressionsIn(v).map((e) => e.expression)),
  );
}

function suggest(name: string, candidates: string[]): string {
  const best = closest(name, candidates);
  return best ? ` Did you mean '${best}'?` : '';
}

/** The candidate within a small edit distance, if any. */
export function closest(name: string, candidates: string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance <= Math.max(2, Math.floor(name.length / 4)) && (!best || distance < best.distance))
      best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}
