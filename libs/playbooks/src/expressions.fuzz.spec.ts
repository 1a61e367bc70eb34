import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { compileExpression, type CompiledExpression, ExpressionError } from './expressions/expression.js';
import { compileValue, resolveValue, type TemplateProblem } from './expressions/template.js';

/*
 * Property-based fuzzing of the expression layer (JSONata in `${{ … }}`): any source compiles
 * or throws ExpressionError; any compiled expression evaluates, on any data, to plain JSON or
 * rejects with ExpressionError; nothing changes a prototype. A call that never ends shows as the
 * test's timeout; how long calls take is the bench's business, never asserted here.
 * Numbers in generated expressions stay small, so that a test run cannot allocate gigabytes
 * through `$pad` (that weakness is covered by test/security/playbook-sandbox.e2e-spec.ts).
 */
const protoNames = () =>
  [Object.prototype, Array.prototype, Function.prototype, String.prototype, RegExp.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(','))
    .join('|');
const BASELINE = protoNames();
function expectPrototypesClean(): void {
  expect(protoNames()).toBe(BASELINE);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).constructor).toBe(Object);
}
afterEach(expectPrototypesClean);

const DATA = {
  inputs: { user: 'adele@contoso.com', devices: ['a', 'b'], n: 3, nested: { deep: [1, { x: 'y' }] } },
  alert: {
    severity: 'high',
    title: 'Suspicious sign-in',
    evidence: [
      { type: 'user', id: 'u1' },
      { type: 'device', id: 'm1' },
    ],
    users: [{ userPrincipalName: 'adele@contoso.com' }],
  },
  steps: { read: { status: 'succeeded', output: { accountEnabled: true } } },
  run: { id: 'r1' },
  item: 'a',
  index: 0,
};

/** Compiles; null for an ExpressionError, which is the documented refusal; anything else fails the property. */
function compile(source: string): CompiledExpression | null {
  try {
    return compileExpression(source);
  } catch (error) {
    if (error instanceof ExpressionError) {
      if (error.position !== undefined) expect(Number.isFinite(error.position)).toBe(true);
      return null;
    }
    throw new Error(
      `compileExpression threw ${(error as Error)?.name}: ${(error as Error)?.message}\n--- source ---\n${source}`,
      { cause: error },
    );
  }
}

async function evaluate(expression: CompiledExpression, data: unknown): Promise<void> {
  let value: unknown;
  try {
    value = await expression.evaluate(data);
  } catch (error) {
    if (!(error instanceof ExpressionError))
      throw new Error(
        `evaluate threw ${(error as Error)?.name}: ${(error as Error)?.message}\n--- source ---\n${expression.source}`,
        { cause: error },
      );
  }
  expectPlainJson(value, expression.source);
  expectPrototypesClean();
}

/** What an expression gives back is data: no functions, no prototypes other than Object's and Array's, JSON round-trips. */
function expectPlainJson(value: unknown, what: string): void {
  if (value === undefined) return;
  const text = JSON.stringify(value);
  expect(JSON.stringify(JSON.parse(text)), what).toBe(text);
  const walk = (v: unknown): void => {
    expect(typeof v, what).not.toBe('function');
    if (v && typeof v === 'object') {
      expect([Object.prototype, Array.prototype, null], what).toContain(Object.getPrototypeOf(v));
      for (const item of Object.values(v)) walk(item);
    }
  };
  walk(value);
  expect(text, what).not.toMatch(/_jsonata_lambda|native code/);
}

const TOKENS = [
  'inputs',
  'alert',
  'steps',
  'run',
  'item',
  'index',
  'user',
  'devices',
  'n',
  'nested',
  'deep',
  'read',
  'output',
  'status',
  'evidence',
  'type',
  'users',
  '.',
  '.',
  '.',
  '[',
  ']',
  '(',
  ')',
  '{',
  '}',
  ':',
  ',',
  ';',
  '$',
  '$$',
  '$f',
  '$x',
  ':=',
  '&',
  '=',
  '!=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '..',
  '?',
  ':',
  'and',
  'or',
  'in',
  'true',
  'false',
  'null',
  '0',
  '1',
  '2',
  '7',
  '42',
  '"a"',
  '"constr"',
  '"uctor"',
  '"__pro"',
  '"to__"',
  '"x"',
  "'y'",
  '`a b`',
  '`',
  '$lookup(',
  '$keys(',
  '$string(',
  '$each(',
  '$sift(',
  '$merge(',
  '$spread(',
  '$count(',
  '$sum(',
  '$map(',
  '$filter(',
  '$reduce(',
  '$zip(',
  '$append(',
  '$type(',
  '$exists(',
  '$not(',
  '$match(',
  '$replace(',
  '$split(',
  '$contains(',
  '$join(',
  '$substring(',
  '$uppercase(',
  '$number(',
  '$boolean(',
  '$sort(',
  '$distinct(',
  '$single(',
  '$now()',
  '$millis()',
  '$random()',
  '$toMillis(',
  '$fromMillis(',
  '$formatNumber(',
  '$base64encode(',
  '$encodeUrl(',
  'function($v, $k){',
  'function($x){',
  '}',
  '~>',
  '|',
  '@',
  '#',
  '^(',
  '/a+/',
  '/[a-z]/i',
  '/(a|b)c/',
  '**',
  '$$.inputs',
  '$.inputs',
  '!',
  '\\',
  '\n',
];
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((tokens) => tokens.join(' '));

/** Expressions that follow JSONata's grammar more often than not. */
const jsonataish: fc.Arbitrary<string> = fc.letrec<{ expr: string; path: string; call: string; literal: string }>(
  (tie) => ({
    literal: fc.oneof(
      fc.constantFrom('1', '2', '"a"', '"constr"', '"uctor"', 'true', 'null', '[1, 2]', '{"a": 1}', '"__pro" & "to__"'),
      fc.integer({ min: -50, max: 50 }).map(String),
    ),
    path: fc
      .array(
        fc.constantFrom(
          'inputs',
          'user',
          'devices',
          'nested',
          'deep',
          'alert',
          'evidence',
          'type',
          'steps',
          'read',
          'output',
          '*',
          '**',
          '$',
          '$$',
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((p) => p.join('.')),
    call: fc
      .tuple(
        fc.constantFrom(
          '$lookup',
          '$keys',
          '$string',
          '$count',
          '$each',
          '$sift',
          '$merge',
          '$spread',
          '$type',
          '$exists',
          '$join',
          '$map',
          '$filter',
          '$append',
          '$contains',
          '$split',
          '$substring',
          '$uppercase',
          '$distinct',
          '$zip',
          '$boolean',
          '$number',
          '$abs',
          '$sum',
        ),
        fc.array(tie('expr'), { maxLength: 3 }),
      )
      .map(([fn, args]) => `${fn}(${args.join(', ')})`),
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('literal'),
      tie('path'),
      tie('call'),
      fc
        .tuple(tie('expr'), fc.constantFrom('&', '=', '!=', '+', 'and', 'or', 'in', '<'), tie('expr'))
        .map(([a, op, b]) => `(${a} ${op} ${b})`),
      fc.tuple(tie('path'), tie('expr')).map(([p, e]) => `${p}[${e}]`),
      fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
      tie('expr').map((e) => `function($v, $k){ ${e} }`),
      fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `($x := ${a}; ${b})`),
      fc.tuple(tie('path'), tie('expr')).map(([p, e]) => `${p} ~> | $ | { "k": ${e} } |`),
      tie('expr').map((e) => `{ "a": ${e}, "b": [${e}] }`),
      tie('expr').map((e) => `\`${e}\``),
    ),
  }),
).expr;

/** Data an expression may be handed: any JSON, with prototype-looking keys sprinkled in. */
const hostileData = fc
  .tuple(
    fc.jsonValue({ maxDepth: 4 }),
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'x'),
  )
  .map(([value, key]) => {
    const inputs: Record<string, unknown> =
      value && typeof value === 'object' && !Array.isArray(value) ? { ...value } : { value };
    Object.defineProperty(inputs, key, {
      value: { polluted: true, prototype: { polluted: true } },
      enumerable: true,
      configurable: true,
      writable: true,
    });
    return { ...DATA, inputs };
  });

describe('compileExpression and evaluate under fuzzing', () => {
  it('compile any string to an expression or an ExpressionError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (source) => {
        compile(source);
        expectPrototypesClean();
      }),
      { numRuns: 500 },
    );
  });

  it('compile and evaluate token soup: data or ExpressionError, within 1 s', async () => {
    await fc.assert(
      fc.asyncProperty(tokenSoup, async (source) => {
        const expression = compile(source);
        if (expression) await evaluate(expression, DATA);
      }),
      { numRuns: 500 },
    );
  });

  it('compile and evaluate grammar-shaped expressions: data or ExpressionError, within 1 s', async () => {
    await fc.assert(
      fc.asyncProperty(jsonataish, async (source) => {
        const expression = compile(source);
        if (expression) await evaluate(expression, DATA);
      }),
      { numRuns: 500 },
    );
  });

  it('evaluate fixed probing expressions over hostile data without leaking anything but data', async () => {
    const probes = [
      'inputs',
      '$keys(inputs)',
      '$string(inputs)',
      '$lookup(inputs, "constr" & "uctor")',
      '$lookup(inputs, "proto" & "type")',
      '$sift(inputs, function($v){ true })',
      'inputs ~> | $ | {"k": 1} |',
      '$merge([inputs, {"a": 1}])',
      '$each(inputs, function($v, $k){ $k })',
      '$spread(inputs)',
      'inputs.*',
      'inputs.**',
      '$lookup($lookup(inputs, "constr" & "uctor"), "proto" & "type")',
      '$type(inputs)',
      '$map($keys(inputs), function($k){ $lookup(inputs, $k) })',
    ].map((source) => compileExpression(source));
    await fc.assert(
      fc.asyncProperty(hostileData, fc.constantFrom(...probes), async (data, expression) => {
        await evaluate(expression, data);
      }),
      { numRuns: 400 },
    );
  });

  it('evaluate random expressions over random data', async () => {
    await fc.assert(
      fc.asyncProperty(jsonataish, hostileData, async (source, data) => {
        const expression = compile(source);
        if (expression) await evaluate(expression, data);
      }),
      { numRuns: 300 },
    );
  });
});

describe('compileValue and resolveValue under fuzzing', () => {
  /** JSON values whose strings are sometimes templates, whole or inside text. */
  const templated = fc.jsonValue({ maxDepth: 3 }).chain((value) =>
    fc
      .array(fc.oneof(jsonataish, tokenSoup, fc.string({ unit: 'binary', maxLength: 20 })), {
        minLength: 1,
        maxLength: 5,
      })
      .map((sources) => {
        let i = 0;
        const next = () => sources[i++ % sources.length] ?? '';
        const wrap = (v: unknown): unknown => {
          if (typeof v === 'string')
            return [`\${{ ${next()} }}`, `a \${{ ${next()} }} b \${{ ${next()} }}`, `\${{ ${next()}`, `${v}`][
              v.length % 4
            ];
          if (Array.isArray(v)) return v.map(wrap);
          if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wrap(x)]));
          return v;
        };
        return [
          wrap(value),
          `\${{ ${next()} }}`,
          { text: `user \${{ ${next()} }}`, list: [`\${{ ${next()} }}`, 1, null] },
        ];
      }),
  );

  it('keep a `__proto__` key of a value as data, never as a prototype (a case the fuzzing found)', async () => {
    const value = JSON.parse('{"a":"${{ 1 }}","__proto__":{"b":"${{ 2 }}"}}') as Record<string, unknown>;
    const problems: TemplateProblem[] = [];
    const resolved = (await resolveValue(compileValue(value, problems), DATA)) as Record<string, unknown>;
    expect(problems).toEqual([]);
    expect(Object.getPrototypeOf(resolved)).toBe(Object.prototype);
    expect(JSON.stringify(resolved)).toBe('{"a":1,"__proto__":{"b":2}}');
    expectPrototypesClean();
  });

  it('collect problems instead of throwing, and resolve to data or an ExpressionError', async () => {
    await fc.assert(
      fc.asyncProperty(templated, async (value) => {
        const problems: TemplateProblem[] = [];
        const compiled = compileValue(value, problems);
        for (const problem of problems) {
          expect(Array.isArray(problem.path)).toBe(true);
          expect(typeof problem.message).toBe('string');
          if (problem.offset !== undefined) expect(problem.offset).toBeGreaterThanOrEqual(0);
        }
        let resolved: unknown;
        try {
          resolved = await resolveValue(compiled, DATA);
        } catch (error) {
          if (!(error instanceof ExpressionError))
            throw new Error(
              `resolveValue threw ${(error as Error)?.name}: ${(error as Error)?.message}\n--- value ---\n${JSON.stringify(value)}`,
              { cause: error },
            );
        }
        expectPlainJson(resolved, JSON.stringify(value));
        expectPrototypesClean();
      }),
      { numRuns: 300 },
    );
  });
});
