import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionCatalogue } from '@riposte/actions';
import { ExpressionError } from './expressions/expression.js';
import { loadPlaybook, type LoadResult } from './loader/playbook-loader.js';
import { ValidationError } from '@riposte/errors';

/*
 * Property-based fuzzing of the YAML playbook loader: whatever the text, loadPlaybook answers
 * `{ ok: true }` or `{ ok: false, errors }` with a position for every error (never another
 * exception) and leaves Object.prototype as it found it (one that never ends shows as the test's
 * timeout: how long a load takes is the bench's business, never asserted here).
 *
 * Inputs stay under ~300 tokens: the YAML library's stack overflow on deeply nested flow
 * collections kills the whole process (see test/security/playbook-sandbox.e2e-spec.ts), which
 * would take this worker down with it rather than report a counterexample.
 */
const actions = new ActionCatalogue().asLookup();

const protoNames = () =>
  [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(','))
    .join('|');
const BASELINE = protoNames();
function expectPrototypesClean(): void {
  expect(protoNames()).toBe(BASELINE);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
}
afterEach(expectPrototypesClean);

/** Loads, timing the call; fails the property on an undocumented exception, a slow answer or an error without position. */
function check(text: string): LoadResult {
  let result: LoadResult;
  try {
    result = loadPlaybook(text, { file: 'fuzz.yaml', actions });
  } catch (error) {
    if (error instanceof ValidationError || error instanceof ExpressionError) return { ok: false, errors: [] };
    throw new Error(
      `loadPlaybook threw ${(error as Error)?.name}: ${(error as Error)?.message}\n--- input ---\n${text.slice(0, 2000)}`,
      { cause: error },
    );
  }
  if (result.ok) {
    expect(typeof result.playbook.definition.id).toBe('string');
    expect(result.playbook.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(() => JSON.stringify(result.playbook.definition)).not.toThrow();
  } else {
    expect(result.errors.length).toBeGreaterThan(0);
    for (const error of result.errors) {
      expect(error.file).toBe('fuzz.yaml');
      expect(Number.isInteger(error.line) && error.line >= 1, JSON.stringify(error)).toBe(true);
      expect(Number.isInteger(error.column) && error.column >= 1, JSON.stringify(error)).toBe(true);
      expect(typeof error.message).toBe('string');
      expect(error.message.length).toBeGreaterThan(0);
      expect(typeof error.pointer).toBe('string');
    }
  }
  expectPrototypesClean();
  return result;
}

const SHIPPED = readdirSync(new URL('../../../playbooks/', import.meta.url))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => readFileSync(new URL(`../../../playbooks/${f}`, import.meta.url), 'utf8'));

const RICH = `id: fuzz-rich
name: Everything at once
inputs:
  user: { type: string }
  devices: { type: array, items: { type: string }, default: [] }
triggers:
  - alert: { severity: [high], evidence: [user], title: { glob: "Suspicious*" } }
    inputs: { user: '\${{ alert.users[0].userPrincipalName }}' }
steps:
  - id: read
    action: azure_ad.get_user
    with:
      user: \${{ inputs.user }}
    retry: { attempts: 2, backoff: 1s }
    onError: continue
  - id: decide
    branch:
      cases:
        - when: \${{ steps.read.output.accountEnabled = true }}
          steps:
            - id: disable
              action: azure_ad.disable_user
              with: { user: '\${{ inputs.user }}' }
      otherwise:
        - id: nothing
          succeed: { message: "already disabled" }
  - id: each
    forEach:
      items: \${{ inputs.devices }}
      concurrency: 2
      steps:
        - id: isolate
          action: defender.isolate_machine
          with: { machine: '\${{ item }}' }
  - id: ask
    approval: { prompt: "Go on with \${{ inputs.user }}?", approvers: [analyst], timeout: 1h, onTimeout: reject }
outputs:
  enabled: \${{ steps.read.output.accountEnabled }}
`;
const VALID = [...SHIPPED, RICH];

const YAML_TOKENS = [
  '\n',
  '\n',
  '\n  ',
  '\n    ',
  '  ',
  ' ',
  '- ',
  ': ',
  ':',
  'id',
  'name',
  'steps',
  'inputs',
  'outputs',
  'triggers',
  'action',
  'with',
  'if',
  'user',
  'azure_ad.get_user',
  'azure_ad.disable_user',
  'fuzz',
  'x',
  '${{ inputs.user }}',
  '${{ steps.read.output }}',
  '${{',
  '}}',
  '&a ',
  '*a',
  '&b ',
  '*b',
  '<<: ',
  '!!js/function ',
  '!!python/object:os.system ',
  '!foo ',
  '!!str ',
  '!!binary ',
  '!!set ',
  '__proto__',
  'constructor',
  'prototype',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  ',',
  '#',
  '---',
  '...',
  '? ',
  '|',
  '>',
  '%YAML 1.2\n',
  '%TAG ! tag:evil.example,2000:\n',
  'true',
  'null',
  '~',
  '1e309',
  '0x1F',
  '.inf',
  '-.nan',
  '\t',
  '\r\n',
  '\u0000',
  '\uFEFF',
  '\u2028',
  '😀',
  '\\',
  '%',
  '@',
  '`',
  'succeed: {}',
  'onError: { goto: read }',
  'retry: { attempts: 99 }',
  'timeout: 99999999d',
];
const yamlish = fc.string({ unit: fc.constantFrom(...YAML_TOKENS), maxLength: 200 });

/** A valid playbook with a few random edits: insert a token, delete a span, duplicate or swap lines, re-indent. */
const mutated = fc
  .tuple(
    fc.constantFrom(...VALID),
    fc.array(
      fc.record({
        kind: fc.constantFrom('insert', 'delete', 'duplicate', 'swap', 'indent', 'replace'),
        at: fc.nat(),
        length: fc.nat({ max: 40 }),
        token: fc.constantFrom(...YAML_TOKENS),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([text, edits]) => {
    let out = text;
    for (const edit of edits) {
      const at = edit.at % (out.length + 1);
      const lines = out.split('\n');
      const line = edit.at % lines.length;
      switch (edit.kind) {
        case 'insert':
          out = out.slice(0, at) + edit.token + out.slice(at);
          break;
        case 'delete':
          out = out.slice(0, at) + out.slice(at + edit.length);
          break;
        case 'replace':
          out = out.slice(0, at) + edit.token + out.slice(at + edit.length);
          break;
        case 'duplicate':
          lines.splice(line, 0, lines[line] ?? '');
          out = lines.join('\n');
          break;
        case 'swap': {
          const other = (line + edit.length) % lines.length;
          [lines[line], lines[other]] = [lines[other] ?? '', lines[line] ?? ''];
          out = lines.join('\n');
          break;
        }
        case 'indent':
          lines[line] = `${' '.repeat(edit.length % 7)}${lines[line] ?? ''}`;
          out = lines.join('\n');
          break;
      }
    }
    return out;
  });

/** Structured playbook-shaped values, rendered as YAML flow text (JSON is YAML). */
const stepLike = fc.record(
  {
    id: fc.oneof(
      fc.constantFrom('read', 'disable', 'a', 'b', '__proto__', 'constructor', 'Bad-Id'),
      fc.string({ maxLength: 10 }),
    ),
    action: fc.constantFrom('azure_ad.get_user', 'azure_ad.disable_user', 'defender.isolate_machine', 'nope.nope', 'x'),
    with: fc.dictionary(
      fc.constantFrom('user', 'machine', 'comment', 'select', 'extra', 'constructor'),
      fc.oneof(
        fc.constantFrom('${{ inputs.user }}', '${{ steps.read.output }}', '${{ $eval("1") }}', '${{ }}', '${{'),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    ),
    if: fc.constantFrom('${{ true }}', '${{ inputs.user = "x" }}', '${{ process.env }}', true, 'yes'),
    onError: fc.constantFrom('fail', 'continue', { goto: 'read' }, { goto: 'nowhere' }),
    succeed: fc.constant({}),
  },
  { requiredKeys: ['id'] },
);
const playbookLike = fc.record(
  {
    id: fc.oneof(fc.constantFrom('fuzz', 'Fuzz', 'fuzz-1', ''), fc.string({ maxLength: 12 })),
    name: fc.oneof(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 1 })),
    inputs: fc.dictionary(
      fc.constantFrom('user', 'devices', 'n', '__proto__'),
      fc.record(
        {
          type: fc.constantFrom('string', 'array', 'number', 'object', 'bogus'),
          default: fc.jsonValue({ maxDepth: 1 }),
        },
        { requiredKeys: [] },
      ),
    ),
    steps: fc.array(stepLike, { maxLength: 5 }),
    outputs: fc.dictionary(
      fc.string({ maxLength: 8 }),
      fc.constantFrom('${{ inputs.user }}', '${{ steps.read.output.accountEnabled }}', '${{ nope.nope }}', 'plain'),
    ),
    triggers: fc.array(
      fc.record(
        {
          alert: fc.record(
            {
              severity: fc.constantFrom(['high'], 'high', [1]),
              title: fc.constantFrom({ regex: '(a+)+$' }, { regex: 'ok' }, { glob: '*x*' }, { regex: '[' }),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['steps'] },
);

describe('loadPlaybook under fuzzing', () => {
  it('answers arbitrary strings with a result, never an exception, within 1 s', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        check(text);
      }),
      { numRuns: 300 },
    );
  });

  it('answers YAML-ish token soup (anchors, tags, merges, prototype keys) with positioned errors', () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        const result = check(text);
        // Nothing that names __proto__ or constructor as a key, or carries a custom tag, may load.
        if (result.ok)
          expect(JSON.stringify(result.playbook.definition)).not.toMatch(/"(__proto__|constructor|prototype)":/);
      }),
      { numRuns: 400 },
    );
  });

  it('answers arbitrary JSON documents (JSON is YAML) the same way', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        check(JSON.stringify(value));
      }),
      { numRuns: 200 },
    );
  });

  it('answers playbook-shaped documents: every problem with a place, never a crash', () => {
    fc.assert(
      fc.property(playbookLike, (value) => {
        check(JSON.stringify(value, null, 2));
      }),
      { numRuns: 300 },
    );
  });

  it('answers randomly edited valid playbooks', () => {
    for (const text of VALID) expect(check(text).ok, text.slice(0, 80)).toBe(true);
    fc.assert(
      fc.property(mutated, (text) => {
        check(text);
      }),
      { numRuns: 400 },
    );
  });

  it('is deterministic: the same text gives the same answer', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, yamlish), (text) => {
        const a = check(text);
        const b = check(text);
        expect(a.ok).toBe(b.ok);
        if (a.ok && b.ok) expect(a.playbook.sha256).toBe(b.playbook.sha256);
        if (!a.ok && !b.ok) expect(a.errors).toEqual(b.errors);
      }),
      { numRuns: 100 },
    );
  });
});
