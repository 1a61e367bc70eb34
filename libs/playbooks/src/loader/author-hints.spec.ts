import { describe, expect, it } from 'vitest';
import { loadPlaybook } from '../index.js';

/* What an author gets wrong first: values no alert carries, and the unquoted `: ` in an expression. */
const actions = { get: () => undefined, ids: () => [] };
const load = (text: string) => loadPlaybook(text, { file: 'p.yaml', actions });
const withTrigger = (alert: string) =>
  `id: p\nname: P\ntriggers:\n  - alert: ${alert}\nsteps:\n  - id: done\n    succeed: {}\n`;

describe('trigger vocabularies', () => {
  it.each([
    ['severity', '{ severity: [high, hgh] }', "severity 'hgh'", 'high'],
    ['status', '{ status: [nwe] }', "status 'nwe'", 'new'],
    ['evidence', '{ evidence: [usr, device] }', "evidence 'usr'", 'user'],
    [
      'serviceSource',
      '{ serviceSource: [microsoftDefenderForEndpont] }',
      "serviceSource 'microsoftDefenderForEndpont'",
      'microsoftDefenderForEndpoint',
    ],
    ['detectionSource', '{ detectionSource: [antivirs] }', "detectionSource 'antivirs'", 'antivirus'],
  ])(
    'a %s outside the vocabulary is an error at its position, with a did-you-mean',
    (_field, alert, named, suggestion) => {
      const result = load(withTrigger(alert));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ line: 4, message: expect.stringContaining(`No alert has ${named}`) });
      expect(result.errors[0]!.message).toContain(`Did you mean '${suggestion}'?`);
      expect(result.errors[0]!.column).toBeGreaterThan(10);
    },
  );

  it('accepts every known value in any case, and says what is known when nothing is near', () => {
    expect(
      load(
        withTrigger(
          '{ severity: [HIGH, Medium, informational], status: [inProgress, newAlert], evidence: [analyzedMessage, mailCluster], serviceSource: [microsoftSentinel] }',
        ),
      ).ok,
    ).toBe(true);
    const far = load(withTrigger('{ severity: [catastrophic] }'));
    expect(far.ok ? '' : far.errors[0]!.message).toMatch(/Known: unknown, informational, low, medium, high\./);
  });
});

describe('the unquoted ": " trap', () => {
  it.each([
    [
      'a with: value',
      `id: p\nname: P\ninputs:\n  user: { type: string }\nsteps:\n  - id: s\n    action: azure_ad.get_user\n    with:\n      user: \${{ inputs.user ? inputs.user : "x" }}\n`,
      9,
    ],
    ['an if', `id: p\nname: P\nsteps:\n  - id: s\n    if: \${{ $contains("a: b", "a") }}\n    succeed: {}\n`, 5],
    [
      'a list item',
      `id: p\nname: P\nsteps:\n  - id: s\n    forEach:\n      items:\n        - \${{ true ? 1 : 2 }}\n      steps:\n        - id: t\n          action: x.y\n`,
      7,
    ],
  ])('in %s: one message, at the line, that says to quote it', (_where, text, line) => {
    const result = load(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const hints = result.errors.filter((e) => e.line === line);
    expect(hints).toHaveLength(1);
    expect(hints[0]!.message).toMatch(/contains ': '.*quote the whole value/);
  });

  it('quoted, the same expression loads', () => {
    expect(
      load(`id: p\nname: P\nsteps:\n  - id: s\n    if: '\${{ $contains("a: b", "a") }}'\n    succeed: {}\n`).ok,
    ).toBe(true);
  });
});
