import { describe, expect, it } from 'vitest';
import { ActionCatalogue } from '@riposte/actions';
import { loadPlaybook } from '../loader/playbook-loader.js';
import { type RehearsalCase, rehearse } from '../rehearsal/rehearsal.js';

/** Each step kind and error rule, rehearsed on a small inline playbook. */
const actions = new ActionCatalogue().asLookup();
async function run(
  yaml: string,
  testCase: Omit<RehearsalCase, 'name' | 'expect'> & { expect: RehearsalCase['expect'] },
) {
  const loaded = loadPlaybook(`id: t\nname: t\n${yaml}`, { file: 't.yaml', actions });
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return rehearse(loaded.playbook, { name: 'case', ...testCase });
}
const read = (id: string, extra = '') =>
  `  - id: ${id}\n    action: azure_ad.get_user\n    with:\n      user: u\n${extra}`;

describe('step kinds', () => {
  it('branch: runs the first matching case, or otherwise', async () => {
    const yaml = `inputs:\n  n: { type: integer }\nsteps:\n  - id: pick\n    branch:\n      cases:\n        - when: \${{ inputs.n > 10 }}\n          steps:\n${read('big').replace(/^/gm, '        ')}\n        - when: \${{ inputs.n > 5 }}\n          steps:\n${read('medium').replace(/^/gm, '        ')}\n      otherwise:\n${read('small').replace(/^/gm, '      ')}\noutputs:\n  chose: \${{ steps.pick.output.chose }}\n`;
    expect(
      (await run(yaml, { inputs: { n: 7 }, expect: { status: 'succeeded', path: ['medium'], outputs: { chose: 1 } } }))
        .problems,
    ).toEqual([]);
    expect(
      (
        await run(yaml, {
          inputs: { n: 1 },
          expect: { status: 'succeeded', path: ['small'], outputs: { chose: 'otherwise' } },
        })
      ).problems,
    ).toEqual([]);
  });

  it('parallel with join any: goes on after the first branch, the other is cancelled', async () => {
    const yaml = [
      'steps:',
      '  - id: race',
      '    parallel:',
      '      join: any',
      '      branches:',
      '        - steps:',
      '            - id: fast',
      '              action: azure_ad.get_user',
      '              with: { user: u }',
      '        - steps:',
      '            - id: slow_wait',
      '              wait: { duration: 1h }',
      '            - id: slow',
      '              action: azure_ad.get_user',
      '              with: { user: u }',
      '  - id: after',
      '    action: azure_ad.get_user',
      '    with: { user: u }',
    ].join('\n');
    expect((await run(yaml, { expect: { status: 'succeeded', path: ['fast', 'after'] } })).problems).toEqual([]);
  });

  it('onError continue and goto; fail and succeed end the run', async () => {
    const yaml = `steps:\n${read('first', '    onError: continue\n')}${read('second', '    onError: { goto: rescue }\n')}${read('skipped_by_jump')}  - id: rescue\n    fail: { message: "gave up after \${{ steps.second.error.code }}", code: escalated }\n`;
    const result = await run(yaml, {
      results: { first: { error: { code: 'user_not_found' } }, second: { error: { code: 'insufficient_privileges' } } },
      expect: { status: 'failed', path: ['first', 'second'], failure: { step: 'rescue', code: 'escalated' } },
    });
    expect(result.problems).toEqual([]);
    const ok = await run(
      `steps:\n  - id: done\n    if: \${{ true }}\n    succeed: { message: nothing to do }\n${read('never')}`,
      { expect: { status: 'succeeded', path: [] } },
    );
    expect(ok.problems).toEqual([]);
  });

  it('retry: attempts the step again for the listed codes only', async () => {
    const yaml = `steps:\n${read('flaky', '    retry: { attempts: 3, backoff: 1s, on: [throttled] }\n')}`;
    const result = await run(yaml, {
      results: { flaky: { error: { code: 'throttled' } } },
      expect: { status: 'failed', failure: { step: 'flaky', code: 'throttled' } },
    });
    expect(result.problems).toEqual([]);
  });

  it('forEach: one run of the body per item, item and index in scope; continue keeps going', async () => {
    const yaml = `steps:\n  - id: each\n    forEach:\n      items: \${{ ["a", "b", "c"] }}\n      concurrency: 2\n      steps:\n        - id: touch\n          if: \${{ index != 1 }}\n          action: azure_ad.get_user\n          with:\n            user: \${{ item }}\n          onError: continue\noutputs:\n  n: \${{ $count(steps.each.output) }}\n`;
    const result = await run(yaml, {
      results: { 'touch[2]': { error: { code: 'user_not_found' } } },
      expect: { status: 'succeeded', path: ['touch[0]', 'touch[2]'], skipped: ['touch[1]'], outputs: { n: 3 } },
    });
    expect(result.problems).toEqual([]);
  });

  it('wait: until a time from an expression', async () => {
    const yaml = `steps:\n  - id: later\n    wait:\n      until: \${{ "2026-01-02T00:00:00Z" }}\n${read('then')}`;
    expect((await run(yaml, { expect: { status: 'succeeded', path: ['later', 'then'] } })).problems).toEqual([]);
  });

  it('call: another playbook, its outputs as the step output', async () => {
    const yaml = `steps:\n  - id: sub\n    call:\n      playbook: disable-azure-ad-user\n      inputs: { user: x }\noutputs:\n  got: \${{ steps.sub.output.accountEnabled }}\n`;
    expect(
      (
        await run(yaml, {
          results: { sub: { output: { accountEnabled: false } } },
          expect: { status: 'succeeded', path: ['sub'], outputs: { got: false } },
        })
      ).problems,
    ).toEqual([]);
  });
});
