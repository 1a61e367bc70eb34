import { checkedExpression, type CompiledExpression, compileExpression, ExpressionError } from './expression.js';

/*
 * Values in a playbook may hold expressions: `${{ inputs.user }}` alone yields the expression's
 * value as it is (a string, a list, an object); inside a longer string, each `${{ … }}` is
 * replaced by its value as text. Everything is compiled once, when the playbook is loaded.
 */
const TEMPLATE = /\$\{\{([\s\S]*?)\}\}/g;
const WHOLE = /^\s*\$\{\{([\s\S]*?)\}\}\s*$/;

export type CompiledValue =
  | { kind: 'literal'; value: unknown }
  | { kind: 'expression'; expression: CompiledExpression }
  | { kind: 'text'; parts: (string | CompiledExpression)[] }
  | { kind: 'array'; items: CompiledValue[] }
  | { kind: 'object'; entries: [string, CompiledValue][] };

export interface TemplateProblem {
  /** JSON path segments below the value's own path. */
  path: (string | number)[];
  message: string;
  /** Offset inside the string, when known. */
  offset?: number;
}

/** True for a string that is exactly one `${{ … }}`. */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && WHOLE.test(value);
}

export function expressionSource(value: string): string {
  return (WHOLE.exec(value)?.[1] ?? value).trim();
}

/**
 * Compiles every template in a value; problems are collected, not thrown. `checked`: the value
 * passed its checks before (a stored version), so each expression is compiled by its first use.
 */
export function compileValue(
  value: unknown,
  problems: TemplateProblem[] = [],
  path: (string | number)[] = [],
  checked = false,
): CompiledValue {
  if (typeof value === 'string') {
    if (!value.includes('${{')) return { kind: 'literal', value };
    const whole = WHOLE.exec(value);
    if (whole) {
      const expression = tryCompile(whole[1] ?? '', value.indexOf('${{') + 3, problems, path, checked);
      return expression ? { kind: 'expression', expression } : { kind: 'literal', value };
    }
    const parts: (string | CompiledExpression)[] = [];
    let last = 0;
    for (const match of value.matchAll(TEMPLATE)) {
      parts.push(value.slice(last, match.index));
      const expression = tryCompile(match[1] ?? '', (match.index ?? 0) + 3, problems, path, checked);
      if (expression) parts.push(expression);
      last = (match.index ?? 0) + match[0].length;
    }
    parts.push(value.slice(last));
    if (value.slice(last).includes('${{'))
      problems.push({
        path,
        message: 'An expression is opened with ${{ but never closed with }}.',
        offset: value.lastIndexOf('${{'),
      });
    return { kind: 'text', parts };
  }
  if (Array.isArray(value))
    return { kind: 'array', items: value.map((item, i) => compileValue(item, problems, [...path, i], checked)) };
  if (value && typeof value === 'object')
    return {
      kind: 'object',
      entries: Object.entries(value).map(([k, v]) => [k, compileValue(v, problems, [...path, k], checked)]),
    };
  return { kind: 'literal', value };
}

function tryCompile(
  source: string,
  offset: number,
  problems: TemplateProblem[],
  path: (string | number)[],
  checked: boolean,
): CompiledExpression | undefined {
  if (checked) return checkedExpression(source.trim());
  try {
    return compileExpression(source.trim());
  } catch (error) {
    const e = error as ExpressionError;
    problems.push({ path, message: e.message, offset: offset + (e.position ?? 0) });
    return undefined;
  }
}

/** Every compiled expression inside a value, with its path below the value. */
export function expressionsIn(
  value: CompiledValue,
  path: (string | number)[] = [],
): { expression: CompiledExpression; path: (string | number)[] }[] {
  switch (value.kind) {
    case 'literal':
      return [];
    case 'expression':
      return [{ expression: value.expression, path }];
    case 'text':
      return value.parts
        .filter((p): p is CompiledExpression => typeof p !== 'string')
        .map((expression) => ({ expression, path }));
    case 'array':
      return value.items.flatMap((item, i) => expressionsIn(item, [...path, i]));
    case 'object':
      return value.entries.flatMap(([k, v]) => expressionsIn(v, [...path, k]));
  }
}

/** Evaluates a compiled value against the run's data. */
export async function resolveValue(value: CompiledValue, data: unknown): Promise<unknown> {
  switch (value.kind) {
    case 'literal':
      return value.value;
    case 'expression':
      return value.expression.evaluate(data);
    case 'text': {
      let out = '';
      for (const part of value.parts) {
        if (typeof part === 'string') out += part;
        else {
          const v = await part.evaluate(data);
          out += v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
        }
      }
      return out;
    }
    case 'array':
      return Promise.all(value.items.map((item) => resolveValue(item, data)));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, v] of value.entries) {
        const resolved = await resolveValue(v, data);
        // An own property whatever the key: a `__proto__` key stays data (as JSON.parse keeps it), never a prototype.
        if (resolved !== undefined)
          Object.defineProperty(out, key, { value: resolved, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}

export { ExpressionError };
