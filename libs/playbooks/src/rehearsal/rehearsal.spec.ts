import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ActionCatalogue } from '@riposte/actions';
import { loadPlaybook } from '../loader/playbook-loader.js';
import { parseRehearsalFile, rehearse } from './rehearsal.js';

const playbooks = new URL('../../../../playbooks/', import.meta.url);
const tests = new URL('tests/', playbooks);
const actions = new ActionCatalogue().asLookup();

describe('rehearsals of the shipped playbooks', () => {
  const files = readdirSync(tests).filter((f) => f.endsWith('.rehearsal.yaml'));
  it('cover every shipped playbook', () => {
    const covered = files.map((f) => f.replace('.rehearsal.yaml', '')).sort();
    const shipped = readdirSync(playbooks)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace('.yaml', ''))
      .sort();
    expect(covered).toEqual(shipped);
  });

  for (const file of files) {
    const parsed = parseRehearsalFile(readFileSync(new URL(file, tests), 'utf8'));
    if (!parsed.ok) throw new Error(`${file}: ${parsed.errors.join('\n')}`);
    const loaded = loadPlaybook(readFileSync(new URL(`${parsed.file.playbook}.yaml`, playbooks), 'utf8'), {
      file: `${parsed.file.playbook}.yaml`,
      actions,
    });
    if (!loaded.ok) throw new Error(`${parsed.file.playbook}: does not load`);
    describe(parsed.file.playbook, () => {
      for (const testCase of parsed.file.cases) {
        it(testCase.name, async () => {
          const result = await rehearse(loaded.playbook, testCase);
          expect(result.problems).toEqual([]);
        });
      }
    });
  }
});

describe(rehearse.name, () => {
  it('reports what differs from the expectation', async () => {
    const loaded = loadPlaybook(readFileSync(new URL('disable-azure-ad-user.yaml', playbooks), 'utf8'), {
      file: 'x',
      actions,
    });
    if (!loaded.ok) throw new Error('does not load');
    const result = await rehearse(loaded.playbook, {
      name: 'wrong',
      inputs: { user: 'u' },
      expect: { status: 'failed', path: ['nope'] },
    });
    expect(result.passed).toBe(false);
    expect(result.problems).toEqual([
      "expect.path: 'nope' is not a step of playbook disable-azure-ad-user. Known: disable.",
      'expected status failed, got succeeded',
      'expected path nope, got disable',
    ]);
  });

  it('names every step, approval and output a case gives that the playbook does not have, with the nearest one', async () => {
    const loaded = loadPlaybook(readFileSync(new URL('compromised-account.yaml', playbooks), 'utf8'), {
      file: 'x',
      actions,
    });
    if (!loaded.ok) throw new Error('does not load');
    const result = await rehearse(loaded.playbook, {
      name: 'typos',
      inputs: { user: 'u' },
      results: { disabel: { output: {} }, 'isolate[3]': { output: {} } },
      approvals: { approve_containmnet: 'approve', disable: 'approve' },
      expect: {
        status: 'succeeded',
        skipped: ['resolve_alrt'],
        outputs: { disabeld: true },
        failure: { step: 'revok' },
      },
    });
    expect(result.passed).toBe(false);
    expect(result.problems.slice(0, 6)).toEqual([
      expect.stringMatching(/^results: 'disabel' is not a step .* Did you mean 'disable'\?/),
      expect.stringMatching(
        /^approvals: 'approve_containmnet' is not an approval step .* Did you mean 'approve_containment'\?/,
      ),
      expect.stringMatching(
        /^approvals: 'disable' is not an approval step .*Known: approve_containment, approve_isolation\./,
      ),
      expect.stringMatching(/^expect.skipped: 'resolve_alrt' .* Did you mean 'resolve_alert'\?/),
      expect.stringMatching(/^expect.failure.step: 'revok' .* Did you mean 'revoke'\?/),
      expect.stringMatching(/^expect.outputs: 'disabeld' is not an output .* Did you mean 'disabled'\?/),
    ]);
  });
});
