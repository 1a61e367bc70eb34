import { describe, expect, it } from 'vitest';
import { compileExpression, ExpressionError } from './expression.js';
import { compileValue, resolveValue } from './template.js';

const data = {
  inputs: { user: 'adele@contoso.com', devices: ['a', 'b'] },
  alert: {
    severity: 'high',
    evidence: [
      { type: 'device', id: 'm1' },
      { type: 'user', id: 'u1' },
    ],
  },
  steps: { disable: { status: 'succeeded', output: { accountEnabled: false } } },
};

describe('compileExpression', () => {
  it('evaluates JSONata over the run data', async () => {
    expect(await compileExpression('inputs.user').evaluate(data)).toBe('adele@contoso.com');
    expect(
      await compileExpression('$count(inputs.devices) > 1 and steps.disable.output.accountEnabled = false').evaluate(
        data,
      ),
    ).toBe(true);
    expect(await compileExpression('alert.evidence[type = "device"].id').evaluate(data)).toBe('m1');
  });

  it('knows which steps and inputs it reads, and ignores relative names inside filters', () => {
    const e = compileExpression(
      'steps.disable.status = "succeeded" and alert.evidence[type = "device"] and $count(inputs.devices) > 0',
    );
    expect([...e.roots].sort()).toEqual(['alert', 'inputs', 'steps']);
    expect([...e.stepRefs]).toEqual(['disable']);
    expect([...e.inputRefs]).toEqual(['devices']);
  });

  it('refuses names that reach for the runtime, and $eval', () => {
    for (const source of [
      'inputs.constructor',
      'inputs.__proto__',
      '$lookup(inputs, "constructor")',
      'process.env',
      '$eval("1+1")',
      'require("fs")',
    ]) {
      expect(() => compileExpression(source), source).toThrow(ExpressionError);
    }
  });

  it('gives nothing but data even when asked through dynamic lookups', async () => {
    expect(await compileExpression('$lookup(inputs, "constr" & "uctor")').evaluate(data)).toBeUndefined();
    expect(await compileExpression('$lookup({}, "construct" & "or")').evaluate(data)).toBeUndefined();
    expect(await compileExpression('$keys(inputs)').evaluate(data)).toEqual(['user', 'devices']);
  });

  it('reads the same data objects again and again without changing them', async () => {
    // The run's inputs and alert keep their identity across transitions and are read by every
    // expression: no evaluation may change them (functions that reorder or extend make new values).
    const alert = { users: [{ upn: 'b@x' }, { upn: 'a@x' }], tags: ['t2', 't1', 't2'] };
    const inputs = { n: 1 };
    const data = () => ({ alert, inputs, steps: {} });
    const ex = (source: string) => compileExpression(source).evaluate(data());
    expect(await ex('$sort(alert.users.upn)')).toEqual(['a@x', 'b@x']);
    expect(await ex('$reverse(alert.tags)')).toEqual(['t2', 't1', 't2']);
    expect(await ex('$distinct(alert.tags)')).toEqual(['t2', 't1']);
    expect(await ex('$append(alert.tags, "t3")')).toEqual(['t2', 't1', 't2', 't3']);
    expect(await ex('$merge([inputs, {"m": 2}])')).toEqual({ n: 1, m: 2 });
    expect(await ex('alert.users[0].upn')).toBe('b@x');
    expect(alert).toEqual({ users: [{ upn: 'b@x' }, { upn: 'a@x' }], tags: ['t2', 't1', 't2'] });
    // A changed value (a new object, as the runtime makes) is read afresh.
    expect(await compileExpression('inputs.n').evaluate({ alert, inputs: { n: 2 }, steps: {} })).toBe(2);
  });

  it('stops runaway evaluations', async () => {
    const loop = compileExpression('($f := function($n){ $n > 0 ? $f($n - 1) + $f($n - 1) : 1 }; $f(40))');
    await expect(loop.evaluate(data)).rejects.toThrow(/too much work|nests too deeply/);
    // Work, not time: the same expression evaluated many times at once counts each apart.
    const trivial = compileExpression('inputs.user');
    expect(await Promise.all(Array.from({ length: 200 }, () => trivial.evaluate(data)))).toEqual(
      Array.from({ length: 200 }, () => data.inputs.user),
    );
  });

  it('runs regular expressions in linear time, and refuses what RE2 cannot do', async () => {
    const evil = compileExpression('$contains(inputs.text, /(a|a)*$/) and $contains(inputs.text, /(a+)+b/)');
    // A backtracking engine would not finish these on 50,000 characters within the test's timeout.
    expect(await evil.evaluate({ inputs: { text: `${'a'.repeat(50_000)}!` } })).toBe(false);
    expect(await compileExpression('$match("Bob@EXAMPLE.com", /(\\w+)@(\\w+)/i).groups').evaluate({})).toEqual([
      'Bob',
      'EXAMPLE',
    ]);
    expect(await compileExpression('$replace("a1b22c", /[0-9]+/, "#")').evaluate({})).toBe('a#b#c');
    expect(() => compileExpression('$match(inputs.user, /(a)\\1/)')).toThrow(
      /backreferences and lookaround are not supported/,
    );
  });

  it('bounds the size of what an expression builds', async () => {
    await expect(compileExpression('$length($pad("x", 40000000))').evaluate({})).rejects.toThrow(
      /width may be at most 1000000/,
    );
    await expect(
      compileExpression('($f := function($s, $n){ $n = 0 ? $s : $f($s & $s, $n - 1) }; $length($f("x", 25)))').evaluate(
        {},
      ),
    ).rejects.toThrow(/more than 1000000 characters/);
    expect(await compileExpression('$pad("ab", -5, "-")').evaluate({})).toBe('---ab');
  });

  it('reports syntax errors with their position', () => {
    try {
      compileExpression('inputs.user = ');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).position).toBeGreaterThan(0);
    }
  });
});

describe('templates', () => {
  it('yields a whole expression as its value and interpolates inside text', async () => {
    expect(await resolveValue(compileValue('${{ inputs.devices }}'), data)).toEqual(['a', 'b']);
    expect(
      await resolveValue(compileValue({ comment: 'Disabled ${{ inputs.user }} (${{ alert.severity }})', n: 3 }), data),
    ).toEqual({ comment: 'Disabled adele@contoso.com (high)', n: 3 });
  });

  it('collects problems with their place instead of throwing', () => {
    const problems: { path: (string | number)[]; message: string }[] = [];
    compileValue({ a: { b: 'x ${{ inputs. }} y' }, c: '${{ unclosed' }, problems);
    expect(problems.map((p) => p.path)).toEqual([['a', 'b'], ['c']]);
  });
});
