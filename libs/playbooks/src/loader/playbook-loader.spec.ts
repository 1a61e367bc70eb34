import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ActionCatalogue } from '@riposte/actions';
import { loadPlaybook } from './playbook-loader.js';

const actions = new ActionCatalogue().asLookup();
const load = (text: string) => loadPlaybook(text, { file: 'test.yaml', actions });
const errorsOf = (text: string) => {
  const result = load(text);
  if (result.ok) throw new Error('expected errors');
  return result.errors;
};

describe('loadPlaybook', () => {
  it('loads every shipped playbook', () => {
    const dir = new URL('../../../../playbooks/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const result = loadPlaybook(readFileSync(new URL(file, dir), 'utf8'), { file, actions });
      expect(result.ok ? [] : result.errors, file).toEqual([]);
    }
  });

  it('reports five different mistakes, each at its line and column', () => {
    const text = [
      'id: five-mistakes', //                                      1
      'name: Five mistakes', //                                    2
      'inputs:', //                                                3
      '  user: { type: string }', //                               4
      'steps:', //                                                 5
      '  - id: disable', //                                        6
      '    action: azure_ad.disable_usr', //                      7  unknown action
      '    with:', //                                              8
      '      user: ${{ inputs.usr }}', //                          9  unknown input
      '  - id: revoke', //                                        10
      '    action: azure_ad.revoke_sessions', //                  11
      '    with:', //                                             12
      '      user: ${{ inputs.user }}', //                        13
      '      reason: compromised', //                             14  unknown action input
      '    onError: { goto: nowhere }', //                        15  jump to unknown step
      '  - id: revoke', //                                        16  duplicate id
      '    action: azure_ad.get_user', //                         17
      '    with:', //                                             18
      '      user: x', //                                         19
    ].join('\n');
    const errors = errorsOf(text);
    expect(errors.map((e) => [e.line, e.column, e.pointer])).toEqual([
      [7, 13, '/steps/0/action'],
      [9, 13, '/steps/0/with/user'],
      [14, 7, '/steps/1/with/reason'],
      [15, 22, '/steps/1/onError/goto'],
      [16, 9, '/steps/2/id'],
    ]);
    expect(errors[0]?.message).toMatch(/Unknown action 'azure_ad.disable_usr'. Did you mean 'azure_ad.disable_user'/);
    expect(errors[1]?.message).toMatch(/inputs.usr.*no input 'usr'/);
    expect(errors[2]?.message).toMatch(/has no input 'reason'/);
    expect(errors[3]?.message).toMatch(/no step 'nowhere'/);
    expect(errors[4]?.message).toMatch(/already used/);
    expect(errors.every((e) => e.file === 'test.yaml')).toBe(true);
  });

  it('reports schema errors where they are', () => {
    const errors = errorsOf(
      'id: Bad_Id\nname: x\nsteps:\n  - id: a\n    action: azure_ad.get_user\n    with: { user: x }\n    colour: red\n',
    );
    expect(errors.map((e) => [e.line, e.pointer])).toEqual([
      [1, '/id'],
      [7, '/steps/0/colour'],
    ]);
  });

  it('refuses YAML tricks: duplicate keys, custom tags, alias bombs, prototype keys, merge keys, deep nesting', () => {
    expect(errorsOf('id: a\nid: b\n')[0]?.message).toMatch(/appears twice/);
    expect(errorsOf('id: !!js/function "x"\n')[0]?.message).toMatch(/tag/);
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n');
    expect(errorsOf(bomb)[0]?.message).toMatch(/expands too much|aliases/);
    expect(errorsOf('__proto__: { polluted: true }\n')[0]?.message).toMatch(/not allowed as a key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(
      errorsOf('id: a\nname: a\nsteps: []\n<<: { x: 1 }\n')
        .map((e) => e.message)
        .join(),
    ).toMatch(/'<<' is not a known field/);
    expect(errorsOf(`${'['.repeat(100)}${']'.repeat(100)}`)[0]?.message).toMatch(/nests deeper/);
    expect(errorsOf('x'.repeat(1024 * 1024 + 1))[0]?.message).toMatch(/larger than 1 MB/);
  });

  it('refuses nesting that would overflow the YAML parser before parsing, however often it is sent', () => {
    for (let i = 0; i < 3; i++) {
      expect(errorsOf('['.repeat(5000))[0]).toMatchObject({
        line: 1,
        message: 'The document nests deeper than 64 levels.',
      });
      expect(
        errorsOf(`id: x
steps:
  - ${'{a: '.repeat(5000)}`)[0],
      ).toMatchObject({ line: 3, message: expect.stringMatching(/nests deeper/) });
      expect(
        errorsOf(`id: x
steps:
${'- '.repeat(5000)}x
`)[0],
      ).toMatchObject({ line: 3, message: 'Line 3 is indented or nested too deeply.' });
      expect(errorsOf('['.repeat(1024 * 1024 - 1))[0]?.message).toMatch(/nests deeper/);
    }
    // Brackets inside quoted and block scalars are text, not nesting.
    const result = load(`id: brackets
name: "${'['.repeat(200)}"
description: |
  ${'{'.repeat(200)}
steps:
  - id: a
    action: core.noop
`);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('refuses expressions that reach for the runtime, with the position inside the line', () => {
    const errors = errorsOf(
      'id: a\nname: a\nsteps:\n  - id: s\n    action: azure_ad.get_user\n    with:\n      user: ${{ inputs.constructor }}\n',
    );
    expect(errors[0]).toMatchObject({ line: 7, message: expect.stringMatching(/'constructor' may not be used/) });
    expect(errors[0]?.column).toBeGreaterThan(13);
  });

  it('refuses backward jumps (loops), unreachable steps and loops without actions', () => {
    const backward = errorsOf(
      'id: a\nname: a\nsteps:\n  - id: one\n    action: azure_ad.get_user\n    with: { user: x }\n  - id: two\n    action: azure_ad.get_user\n    with: { user: x }\n    onError: { goto: one }\n',
    );
    expect(backward[0]?.message).toMatch(/would make a loop/);
    const dead = errorsOf(
      'id: a\nname: a\nsteps:\n  - id: stop\n    succeed: {}\n  - id: never\n    action: azure_ad.get_user\n    with: { user: x }\n',
    );
    expect(dead[0]).toMatchObject({ line: 6, message: expect.stringMatching(/can never run/) });
    const loop = errorsOf(
      'id: a\nname: a\nsteps:\n  - id: each\n    forEach:\n      items: ${{ [1,2] }}\n      steps:\n        - id: ask\n          approval: { prompt: ok? }\n',
    );
    expect(loop[0]?.message).toMatch(/Only action steps can run inside forEach/);
  });

  it('checks literal action inputs against the action schema, and required inputs', () => {
    const errors = errorsOf(
      'id: a\nname: a\nsteps:\n  - id: iso\n    action: defender.isolate_machine\n    with:\n      isolationType: Partial\n',
    );
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/needs input 'machine'/),
      expect.stringMatching(/isolationType.*must be equal to one of the allowed values/),
    ]);
  });

  it('compiles to a machine config that survives a JSON round trip, the same every time', () => {
    const text = readFileSync(new URL('../../../../playbooks/compromised-account.yaml', import.meta.url), 'utf8');
    const a = load(text);
    const b = load(text);
    if (!a.ok || !b.ok) throw new Error('did not load');
    expect(JSON.parse(JSON.stringify(a.playbook.compiled.config))).toEqual(a.playbook.compiled.config);
    expect(JSON.stringify(a.playbook.compiled.config)).toBe(JSON.stringify(b.playbook.compiled.config));
    expect(a.playbook.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
