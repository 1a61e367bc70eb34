import { createHash } from 'node:crypto';
import { compileSchema, formatSchemaErrors } from '@riposte/schema';
import type { ActionLookup } from '../action-lookup.js';
import { type CompiledPlaybook, compilePlaybook } from '../compiler/compile.js';
import type { PlaybookDefinition, StepKind } from '../definition.js';
import { PLAYBOOK_SCHEMA } from '../playbook.schema.js';
import type { PlaybookError, Problem } from './problem.js';
import { checkSemantics } from './semantic-checks.js';
import { checkReferences, indexPlaybook, type PlaybookIndex } from './step-index.js';
import { parseYaml, pointerOf, type YamlSource } from './yaml-source.js';

/** A playbook that passed every check, as plain data: it can cross to or from a worker thread. */
export interface CheckedPlaybook {
  definition: PlaybookDefinition;
  source: string;
  sha256: string;
  /** Every step, nested ones too, depth first: what a reader is shown without compiling the machine. */
  steps: StepSummary[];
}

export interface StepSummary {
  id: string;
  kind: StepKind;
  action?: string;
}

/** A checked playbook and its machine, compiled on first use (a run, a graph), then kept. */
export interface LoadedPlaybook extends CheckedPlaybook {
  readonly compiled: CompiledPlaybook;
}

export type CheckResult = { ok: true; playbook: CheckedPlaybook } | { ok: false; errors: PlaybookError[] };
export type LoadResult = { ok: true; playbook: LoadedPlaybook } | { ok: false; errors: PlaybookError[] };

const validateSchema = compileSchema<PlaybookDefinition>(PLAYBOOK_SCHEMA, { draft: '2020-12' });

/**
 * YAML text → checked playbook (its machine compiled when first needed), or every error with
 * file, line, column and a JSON pointer.
 */
export function loadPlaybook(text: string, options: { file: string; actions: ActionLookup }): LoadResult {
  const checked = check(text, options);
  return checked.ok ? { ok: true, playbook: loadedPlaybook(checked.playbook, checked.index) } : checked;
}

/**
 * The checks of `loadPlaybook` without the machine: what a worker thread answers (plain data).
 * Stages stop at the first that fails (a YAML error makes schema errors meaningless), but each
 * stage reports all it finds.
 */
export function checkPlaybook(text: string, options: { file: string; actions: ActionLookup }): CheckResult {
  const checked = check(text, options);
  return checked.ok ? { ok: true, playbook: checked.playbook } : checked;
}

/**
 * A stored version, from the definition kept beside its YAML when it passed every check: the
 * YAML is not parsed and checked again (for the largest playbook, longer than the event loop may
 * be held). What may have changed since it was stored, the action catalogue, is checked again.
 */
export function restorePlaybook(
  definition: PlaybookDefinition,
  stored: { source: string; sha256: string },
  options: { file: string; actions: ActionLookup },
): LoadResult {
  const index = indexPlaybook(definition, [], true);
  for (const step of index.steps.values())
    if ('action' in step.def && !options.actions.get(step.def.action))
      return wholeFileError(
        options.file,
        `Step '${step.id}' uses the action '${step.def.action}', which this service does not have.`,
        pointerOf(step.path),
      );
  const checked = { definition, source: stored.source, sha256: stored.sha256, steps: summaries(index) };
  return { ok: true, playbook: loadedPlaybook(checked, index) };
}

/**
 * A checked playbook with its machine compiled lazily: the compiling (expressions, XState) is
 * done once, by the first run, rehearsal or graph that needs it, not on the upload's path.
 */
export function loadedPlaybook(checked: CheckedPlaybook, index?: PlaybookIndex): LoadedPlaybook {
  let compiled: CompiledPlaybook | undefined;
  return {
    definition: checked.definition,
    source: checked.source,
    sha256: checked.sha256,
    steps: checked.steps,
    get compiled() {
      // The definition passed every check already: indexing it again finds no problem, and its
      // expressions are compiled as the run reaches them.
      compiled ??= compilePlaybook(checked.definition, index ?? indexPlaybook(checked.definition, [], true));
      return compiled;
    },
  };
}

/**
 * The machine of a loaded playbook, compiled in two turns of the event loop (expressions and the
 * machine's configuration, then XState's machine) rather than one long one: for a run's start.
 */
export async function compileInSteps(loaded: LoadedPlaybook): Promise<CompiledPlaybook> {
  const compiled = loaded.compiled;
  await new Promise((resolve) => setImmediate(resolve));
  void compiled.machine;
  return compiled;
}

type Checked = { ok: true; playbook: CheckedPlaybook; index: PlaybookIndex } | { ok: false; errors: PlaybookError[] };

function check(text: string, options: { file: string; actions: ActionLookup }): Checked {
  const parsed = parseYaml(text);
  if (!parsed.ok) return { ok: false, errors: parsed.problems.map((p) => ({ file: options.file, ...p })) };
  const { source } = parsed;
  const located = (problems: Problem[]) => sortErrors(problems.map((p) => locate(source, options.file, p)));

  const raw = source.value;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return wholeFileError(options.file, 'A playbook is a YAML mapping with id, name and steps.');
  const value = structuredClone(raw) as Record<string, unknown>;
  if (!validateSchema(value)) return { ok: false, errors: located(schemaProblems(validateSchema.errors)) };

  const definition = withDefaults(value as unknown as PlaybookDefinition);
  const problems: Problem[] = [];
  const index = indexPlaybook(definition, problems);
  checkSemantics(definition, index, options.actions, problems);
  checkReferences(definition, index, problems);
  if (problems.length) return { ok: false, errors: located(problems) };

  return {
    ok: true,
    playbook: {
      definition,
      source: text,
      sha256: createHash('sha256').update(text).digest('hex'),
      steps: summaries(index),
    },
    index,
  };
}

function summaries(index: PlaybookIndex): StepSummary[] {
  return [...index.steps.values()].map((s) => ({
    id: s.id,
    kind: s.kind,
    ...('action' in s.def ? { action: s.def.action } : {}),
  }));
}

/** A problem with the file as a whole (placed at its start). */
function wholeFileError(file: string, message: string, pointer = ''): { ok: false; errors: PlaybookError[] } {
  return { ok: false, errors: [{ file, line: 1, column: 1, pointer, message }] };
}

function withDefaults(definition: PlaybookDefinition): PlaybookDefinition {
  return {
    ...definition,
    enabled: definition.enabled ?? true,
    inputs: definition.inputs ?? {},
    triggers: definition.triggers ?? [],
    outputs: definition.outputs ?? {},
  };
}

function schemaProblems(errors: Parameters<typeof formatSchemaErrors>[0]): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const e of formatSchemaErrors(errors)) {
    const path = e.path
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const unknownField = e.message === 'is not a known field';
    const message = unknownField ? `'${path.at(-1)}' is not a known field here.` : `${describe(path)} ${e.message}.`;
    const key = `${e.path}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message, key: unknownField });
  }
  return out;
}

function describe(path: (string | number)[]): string {
  const last = path.at(-1);
  return last === undefined ? 'The playbook' : typeof last === 'number' ? `Item ${last + 1}` : `'${last}'`;
}

function locate(source: YamlSource, file: string, problem: Problem): PlaybookError {
  const { line, column } = source.locate(problem.path, { key: problem.key, offset: problem.offset });
  return { file, line, column, pointer: pointerOf(problem.path), message: problem.message };
}

function sortErrors(errors: PlaybookError[]): PlaybookError[] {
  return errors.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Compiler-style lines: `file:line:column: message (pointer)`. */
export function formatErrors(errors: PlaybookError[]): string {
  return errors
    .map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}${e.pointer ? ` (${e.pointer})` : ''}`)
    .join('\n');
}
