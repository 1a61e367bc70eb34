import { type PlaybookDefinition, type StepDefinition, type StepKind, stepKind, walkSteps } from '../definition.js';
import { type CompiledValue, compileValue, expressionsIn } from '../expressions/template.js';
import type { Problem } from './problem.js';

/** A step with everything the compiler and the runtime need: its place, and its expressions compiled once. */
export interface IndexedStep {
  id: string;
  kind: StepKind;
  def: StepDefinition;
  path: (string | number)[];
  /** Order of appearance, depth first: jumps may only go forward. */
  order: number;
  /** The id of the sequence the step is in (`root`, or `<step>/<branch or case>`). */
  sequence: string;
  /** Inside a forEach body (item and index are in scope). */
  inLoop: boolean;
  /** The enclosing forEach, parallel or branch steps, innermost last. */
  ancestors: string[];
  compiled: Record<string, CompiledValue>;
  /** Where each compiled field sits in the document. */
  fieldPaths: Record<string, (string | number)[]>;
}

export interface PlaybookIndex {
  steps: Map<string, IndexedStep>;
  /** Ordered lists of step ids per sequence. */
  sequences: Map<string, string[]>;
  outputs: Record<string, CompiledValue>;
  triggers: { inputs: Record<string, CompiledValue>; when?: CompiledValue; throttleKey?: CompiledValue }[];
}

/**
 * Indexes the steps and compiles every expression in the playbook, collecting problems.
 * `checked`: the definition passed every check already; its expressions compile on first use.
 */
export function indexPlaybook(definition: PlaybookDefinition, problems: Problem[], checked = false): PlaybookIndex {
  const steps = new Map<string, IndexedStep>();
  const sequences = new Map<string, string[]>();
  const compile = (value: unknown, path: (string | number)[]) => {
    const found: { path: (string | number)[]; message: string; offset?: number }[] = [];
    const compiled = compileValue(value, found, [], checked);
    for (const p of found) problems.push({ path: [...path, ...p.path], message: p.message, offset: p.offset });
    return compiled;
  };

  const visit = (
    list: StepDefinition[],
    base: (string | number)[],
    sequence: string,
    ancestors: string[],
    inLoop: boolean,
  ) => {
    sequences.set(
      sequence,
      list.map((s) => s.id),
    );
    list.forEach((step, i) => {
      const path = [...base, i];
      let kind: StepKind;
      try {
        kind = stepKind(step);
      } catch {
        return; // reported by the semantic checks
      }
      const compiled: Record<string, CompiledValue> = {};
      const fieldPaths: Record<string, (string | number)[]> = {};
      const field = (name: string, value: unknown, at: (string | number)[]) => {
        if (value === undefined) return;
        compiled[name] = compile(value, [...path, ...at]);
        fieldPaths[name] = [...path, ...at];
      };
      field('if', step.if, ['if']);
      if ('action' in step) field('with', step.with ?? {}, ['with']);
      if ('forEach' in step) field('items', step.forEach.items, ['forEach', 'items']);
      if ('branch' in step)
        step.branch.cases.forEach((c, n) => field(`case${n}`, c.when, ['branch', 'cases', n, 'when']));
      if ('approval' in step) field('prompt', step.approval.prompt, ['approval', 'prompt']);
      if ('wait' in step) field('until', step.wait.until, ['wait', 'until']);
      if ('call' in step) field('inputs', step.call.inputs ?? {}, ['call', 'inputs']);
      if ('fail' in step) field('message', step.fail.message, ['fail', 'message']);
      if ('succeed' in step) field('message', step.succeed.message, ['succeed', 'message']);
      if (!steps.has(step.id))
        steps.set(step.id, {
          id: step.id,
          kind,
          def: step,
          path,
          order: steps.size,
          sequence,
          inLoop,
          ancestors,
          compiled,
          fieldPaths,
        });
      else
        problems.push({
          path: [...path, 'id'],
          message: `Step id '${step.id}' is already used by another step; step ids must be unique in the playbook.`,
        });

      if ('parallel' in step)
        step.parallel.branches.forEach((b, n) =>
          visit(
            b.steps,
            [...path, 'parallel', 'branches', n, 'steps'],
            `${step.id}/${n}`,
            [...ancestors, step.id],
            inLoop,
          ),
        );
      if ('branch' in step) {
        step.branch.cases.forEach((c, n) =>
          visit(
            c.steps,
            [...path, 'branch', 'cases', n, 'steps'],
            `${step.id}/case${n}`,
            [...ancestors, step.id],
            inLoop,
          ),
        );
        if (step.branch.otherwise)
          visit(
            step.branch.otherwise,
            [...path, 'branch', 'otherwise'],
            `${step.id}/otherwise`,
            [...ancestors, step.id],
            inLoop,
          );
      }
      if ('forEach' in step)
        visit(step.forEach.steps, [...path, 'forEach', 'steps'], `${step.id}/body`, [...ancestors, step.id], true);
    });
  };
  visit(definition.steps, ['steps'], 'root', [], false);

  const outputs = Object.fromEntries(
    Object.entries(definition.outputs ?? {}).map(([k, v]) => [k, compile(v, ['outputs', k])]),
  );
  const triggers = (definition.triggers ?? []).map((t, i) => ({
    inputs: Object.fromEntries(
      Object.entries(t.inputs ?? {}).map(([k, v]) => [k, compile(v, ['triggers', i, 'inputs', k])]),
    ),
    ...(t.alert.when ? { when: compile(t.alert.when, ['triggers', i, 'alert', 'when']) } : {}),
    ...(t.throttle ? { throttleKey: compile(t.throttle.key, ['triggers', i, 'throttle', 'key']) } : {}),
  }));
  return { steps, sequences, outputs, triggers };
}

/** Checks what every expression refers to: known roots, declared inputs, existing steps. */
export function checkReferences(definition: PlaybookDefinition, index: PlaybookIndex, problems: Problem[]): void {
  const inputs = new Set(Object.keys(definition.inputs ?? {}));
  const check = (value: CompiledValue, base: (string | number)[], allowed: Set<string>, where: string) => {
    for (const { expression, path: below } of expressionsIn(value)) {
      const path = [...base, ...below];
      for (const root of expression.roots) {
        if (!allowed.has(root))
          problems.push({
            path,
            message: `'${root}' is not known here ${where}; expressions can read ${[...allowed].join(', ')}.`,
          });
      }
      for (const input of expression.inputRefs) {
        if (!inputs.has(input))
          problems.push({
            path,
            message: `The expression reads inputs.${input}, but the playbook declares no input '${input}'. Declare it under inputs:, or fix the name.`,
          });
      }
      for (const step of expression.stepRefs) {
        if (!index.steps.has(step))
          problems.push({ path, message: `The expression reads steps.${step}, but there is no step '${step}'.` });
      }
    }
  };
  const stepScope = new Set(['inputs', 'alert', 'steps', 'run']);
  const loopScope = new Set([...stepScope, 'item', 'index']);
  for (const step of index.steps.values()) {
    for (const [field, value] of Object.entries(step.compiled))
      check(
        value,
        step.fieldPaths[field] ?? step.path,
        step.inLoop ? loopScope : stepScope,
        `(in step '${step.id}', ${field})`,
      );
  }
  for (const [key, value] of Object.entries(index.outputs)) check(value, ['outputs', key], stepScope, '(in outputs)');
  index.triggers.forEach((t, i) => {
    const triggerScope = new Set(['alert']);
    for (const [key, value] of Object.entries(t.inputs))
      check(value, ['triggers', i, 'inputs', key], triggerScope, '(a trigger sees only the alert)');
    if (t.when) check(t.when, ['triggers', i, 'alert', 'when'], triggerScope, '(a trigger sees only the alert)');
    if (t.throttleKey)
      check(t.throttleKey, ['triggers', i, 'throttle', 'key'], triggerScope, '(a trigger sees only the alert)');
  });
}

export { walkSteps };
