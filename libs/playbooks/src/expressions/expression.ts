import jsonata from 'jsonata';
import { compileLinear, LinearRegExp } from './linear-regex.js';

/*
 * Expressions are JSONata, written `${{ … }}`. JSONata is a sandbox by construction: it reads
 * only the data it is given (own properties, never functions), has no access to the process,
 * modules or the global object, and we bound every evaluation by the work it does: the nodes it
 * evaluates, its depth, the length of its sequences and values. Not by elapsed time: on a busy
 * machine a trivial expression may take long, and it must not fail for that. On top of that, names that have no business in a playbook (`constructor`,
 * `__proto__`, `process`, …) are refused at load time, `$eval` is removed, and regular
 * expressions run on a linear-time engine (see linear-regex.ts).
 */

export const EVALUATION_LIMITS = { stack: 200, sequence: 10_000 } as const;
/** Nodes one evaluation may evaluate: far beyond any playbook's needs (a map over 1,000 items is ~5,000), far below a runaway's. */
export const MAX_EVALUATION_STEPS = 50_000;
/** No value an expression builds may be longer (characters, or items): memory is bounded, not only time. */
export const MAX_VALUE_LENGTH = 1_000_000;
const FORBIDDEN_NAMES = new Set([
  'constructor',
  '__proto__',
  'prototype',
  'process',
  'require',
  'global',
  'globalThis',
  'module',
  'exports',
  'this',
  'Function',
  'eval',
  'import',
]);
const DISABLED_FUNCTIONS = new Set(['eval']);
const MAX_EXPRESSION_LENGTH = 2000;

export class ExpressionError extends Error {
  constructor(
    message: string,
    /** Offset of the problem inside the expression, when known. */
    readonly position?: number,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

interface AstNode {
  type: string;
  value?: unknown;
  position?: number;
  steps?: AstNode[];
  [key: string]: unknown;
}

export interface CompiledExpression {
  source: string;
  /** The first name of every path: `inputs`, `alert`, `steps`, `item`, … */
  roots: Set<string>;
  /** `steps.<id>` references. */
  stepRefs: Set<string>;
  /** `inputs.<name>` references. */
  inputRefs: Set<string>;
  evaluate(data: unknown): Promise<unknown>;
}

/** Compiles once; throws ExpressionError with the position of a syntax error or a forbidden name. */
export function compileExpression(source: string): CompiledExpression {
  if (source.length > MAX_EXPRESSION_LENGTH)
    throw new ExpressionError(`Expressions are limited to ${MAX_EXPRESSION_LENGTH} characters.`);
  let compiled: ReturnType<typeof jsonata>;
  try {
    compiled = jsonata(source, { ...EVALUATION_LIMITS, RegexEngine: LinearRegExp } as never);
  } catch (error) {
    const e = error as { message?: string; position?: number; token?: string };
    throw new ExpressionError(`Invalid expression: ${e.message ?? String(error)}`, e.position);
  }
  const roots = new Set<string>();
  const stepRefs = new Set<string>();
  const inputRefs = new Set<string>();
  inspect(compiled.ast() as unknown as AstNode, { roots, stepRefs, inputRefs });
  for (const name of DISABLED_FUNCTIONS)
    compiled.assign(name, () => {
      throw new ExpressionError(`$${name} is not available in playbook expressions.`);
    });
  // $pad allocates its whole result in one native call, before any check could run.
  compiled.registerFunction('pad', boundedPad, '<s-ns?:s>');
  // Before every node: the evaluation's own count of work (kept on its root environment, so
  // evaluations of the same expression at the same time count apart).
  compiled.assign(
    Symbol.for('jsonata.__evaluate_entry') as never,
    (_node: unknown, _input: unknown, env: { base: { riposteSteps?: number } }) => {
      const base = env.base;
      base.riposteSteps = (base.riposteSteps ?? 0) + 1;
      if (base.riposteSteps > MAX_EVALUATION_STEPS)
        throw new ExpressionError(`The expression did too much work (more than ${MAX_EVALUATION_STEPS} steps).`);
    },
  );
  // After every node: a value over the size limit stops the evaluation.
  compiled.assign(
    Symbol.for('jsonata.__evaluate_exit') as never,
    (_node: unknown, _input: unknown, _env: unknown, result: unknown) => {
      if ((typeof result === 'string' || Array.isArray(result)) && result.length > MAX_VALUE_LENGTH) {
        throw new ExpressionError(
          `The expression built a value of more than ${MAX_VALUE_LENGTH} ${typeof result === 'string' ? 'characters' : 'items'}.`,
        );
      }
    },
  );
  return {
    source,
    roots,
    stepRefs,
    inputRefs,
    async evaluate(data) {
      try {
        return normalize(await compiled.evaluate(toInertData(data)));
      } catch (error) {
        if (error instanceof ExpressionError) throw error;
        const e = error as { message?: string; code?: string; position?: number };
        throw new ExpressionError(
          `${e.code === 'D1011' ? 'The expression nests too deeply' : 'The expression failed'}: ${e.message ?? String(error)}`,
          e.position,
        );
      }
    },
  };
}

/**
 * An expression that passed its checks already (a stored playbook version): compiled by its
 * first evaluation, not up front. A 500-step playbook's first run then compiles each expression
 * as its step comes, in the run's own turns of the event loop, instead of all of them in one.
 */
export function checkedExpression(source: string): CompiledExpression {
  let compiled: CompiledExpression | undefined;
  const now = () => (compiled ??= compileExpression(source));
  return {
    source,
    get roots() {
      return now().roots;
    },
    get stepRefs() {
      return now().stepRefs;
    },
    get inputRefs() {
      return now().inputRefs;
    },
    evaluate: (data) => now().evaluate(data),
  };
}

/** JSONata's $pad (width counted in characters, padding on the right when positive), with the size limit checked first. */
function boundedPad(text: string | undefined, width: number, padWith?: string): string | undefined {
  if (text === undefined) return undefined;
  if (Math.abs(width) > MAX_VALUE_LENGTH)
    throw new ExpressionError(`$pad: the width may be at most ${MAX_VALUE_LENGTH}.`);
  const fill = padWith === undefined || padWith.length === 0 ? ' ' : padWith;
  const missing = Math.abs(width) - Array.from(text).length;
  if (missing <= 0) return text;
  const padding = Array.from(fill.repeat(Math.ceil(missing / Array.from(fill).length)))
    .slice(0, missing)
    .join('');
  return width > 0 ? text + padding : padding + text;
}

/**
 * Walks the syntax tree: refuses forbidden names and collects what the expression refers to.
 * A path is "rooted" (reads the run's data) unless it sits in a filter, a later step of another
 * path, or a lambda: those read whatever they are applied to.
 */
function inspect(
  node: AstNode | undefined,
  found: { roots: Set<string>; stepRefs: Set<string>; inputRefs: Set<string> },
  relative = false,
): void {
  if (!node || typeof node !== 'object') return;
  if ((node.type === 'name' || node.type === 'string' || node.type === 'variable') && typeof node.value === 'string') {
    const name = node.value;
    const at = typeof node.position === 'number' ? node.position - name.length : undefined;
    if (FORBIDDEN_NAMES.has(name) || name.startsWith('__'))
      throw new ExpressionError(`'${name}' may not be used in an expression.`, at);
    if (node.type === 'variable' && DISABLED_FUNCTIONS.has(name))
      throw new ExpressionError(`$${name} is not available in playbook expressions.`, at);
  }
  if (node.type === 'regex') {
    const regex = node.value as RegExp | undefined;
    try {
      compileLinear(regex?.source ?? '', regex?.flags);
    } catch (error) {
      throw new ExpressionError(`This regular expression cannot be used: ${(error as Error).message}.`, node.position);
    }
  }
  if (node.type === 'path' && Array.isArray(node.steps) && !relative) {
    const [head, second] = node.steps;
    if (head?.type === 'name' && typeof head.value === 'string') {
      found.roots.add(head.value);
      if (second?.type === 'name' && typeof second.value === 'string') {
        if (head.value === 'steps') found.stepRefs.add(second.value);
        if (head.value === 'inputs') found.inputRefs.add(second.value);
      }
    }
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'position' || key === 'value') continue;
    const childRelative =
      relative ||
      key === 'stages' ||
      key === 'predicate' ||
      key === 'group' ||
      key === 'focus' ||
      (node.type === 'lambda' && key === 'body');
    if (Array.isArray(value))
      value.forEach((child, i) =>
        inspect(child as AstNode, found, childRelative || (node.type === 'path' && key === 'steps' && i > 0)),
      );
    else if (value && typeof value === 'object') inspect(value as AstNode, found, childRelative);
  }
}

/** A deep copy of plain JSON with null prototypes: nothing in it leads anywhere but data. */
export function toInertData(value: unknown, depth = 0): unknown {
  if (depth > 64) return null;
  if (Array.isArray(value)) return value.map((v) => toInertData(v, depth + 1));
  if (value && typeof value === 'object') {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [key, item] of Object.entries(value))
      if (item !== undefined && typeof item !== 'function') out[key] = toInertData(item, depth + 1);
    return out;
  }
  return typeof value === 'function' ? undefined : value;
}

/** JSONata results as plain JSON (sequences become arrays, null-prototype objects plain ones). */
function normalize(value: unknown): unknown {
  if (value === undefined) return undefined;
  return JSON.parse(JSON.stringify(value)) as unknown;
}
