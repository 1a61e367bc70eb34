import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '@riposte/errors';
import { normalizeAlerts, type NormalizeResult } from './alert-normalizer.js';

/*
 * Property-based fuzzing of the alert normalizer, which reads whatever a webhook or Graph sends:
 * any JSON value gives normalized alerts or a ValidationError (nothing else: anything else is
 * a 500 at POST /api/v1/alerts), with bounded text, and without touching prototypes.
 */
const MAX_TEXT = 4000;
const FIXTURE = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/defender-alert-v2.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const protoNames = () =>
  [Object.prototype, Array.prototype, Function.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(','))
    .join('|');
const BASELINE = protoNames();
function expectPrototypesClean(): void {
  expect(protoNames()).toBe(BASELINE);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}
afterEach(expectPrototypesClean);

function check(payload: unknown): NormalizeResult | null {
  let result: NormalizeResult | undefined;
  let failure: unknown;
  try {
    result = normalizeAlerts(payload);
  } catch (error) {
    failure = error;
  }
  if (!result) {
    if (!(failure instanceof ValidationError))
      throw new Error(
        `normalizeAlerts threw ${(failure as Error)?.name}: ${(failure as Error)?.message}\n--- input ---\n${JSON.stringify(payload)?.slice(0, 2000)}`,
      );
    expect(failure.errors.length, failure.message).toBeGreaterThan(0);
    for (const e of failure.errors) expect(typeof e.path).toBe('string');
    return null;
  }
  const list = Array.isArray((payload as { value?: unknown } | null)?.value)
    ? (payload as { value: unknown[] }).value
    : [payload];
  expect(result.alerts.length).toBe(list.length);
  for (const [i, { normalized, raw }] of result.alerts.entries()) {
    expect(raw).toBe(list[i]);
    expect(normalized.providerAlertId).toBe(String((raw as { id: unknown }).id));
    expect(typeof normalized.title).toBe('string');
    expect(typeof normalized.severity).toBe('string');
    expect(normalized.severity).toBe(normalized.severity.toLowerCase());
    expect(typeof normalized.lastUpdateDateTime).toBe('string');
    for (const key of [
      'users',
      'devices',
      'ips',
      'urls',
      'mailboxes',
      'messages',
      'mailClusters',
      'files',
      'processes',
      'mitreTechniques',
      'evidenceTypes',
    ] as const)
      expect(Array.isArray(normalized[key]), key).toBe(true);
    expect([...normalized.evidenceTypes].sort()).toEqual(normalized.evidenceTypes);
    expect(new Set(normalized.evidenceTypes).size).toBe(normalized.evidenceTypes.length);
    // The whole thing is plain JSON.
    expect(JSON.parse(JSON.stringify(normalized))).toEqual(normalized);
  }
  expectPrototypesClean();
  return result;
}

const nasty = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    '',
    ' ',
    0,
    -1,
    Number.POSITIVE_INFINITY,
    Number.NaN,
    true,
    [],
    {},
    [null],
    [[]],
    '__proto__',
    'constructor',
    "' OR 1=1 --",
    '\u0000',
    'x'.repeat(5000),
  ),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
);
const EVIDENCE_TYPES = [
  'user',
  'device',
  'ip',
  'url',
  'mailbox',
  'analyzedMessage',
  'mailCluster',
  'file',
  'process',
  'registryKey',
  'cloudApplication',
  '',
].map((t) => `#microsoft.graph.security.${t}Evidence`);
const evidenceRecord = fc.record(
  {
    '@odata.type': fc.oneof(
      fc.constantFrom(...EVIDENCE_TYPES, 'userEvidence', '#microsoft.graph.security.', 'Evidence'),
      nasty,
    ),
    roles: fc.oneof(fc.array(fc.oneof(fc.string({ maxLength: 10 }), nasty), { maxLength: 4 }), nasty),
    userAccount: fc.oneof(
      fc.record(
        { userPrincipalName: nasty, azureAdUserId: nasty, accountName: nasty, domainName: nasty, displayName: nasty },
        { requiredKeys: [] },
      ),
      nasty,
    ),
    mdeDeviceId: nasty,
    deviceDnsName: nasty,
    ipInterfaces: nasty,
    ipAddress: nasty,
    url: nasty,
    primaryAddress: nasty,
    upn: nasty,
    p1Sender: fc.oneof(fc.record({ emailAddress: nasty }), nasty),
    urls: nasty,
    emailCount: nasty,
    networkMessageIds: nasty,
    fileDetails: fc.oneof(
      fc.record({ fileName: nasty, filePath: nasty, sha1: nasty, sha256: nasty }, { requiredKeys: [] }),
      nasty,
    ),
    imageFile: fc.oneof(fc.record({ fileName: nasty }), nasty),
    processId: nasty,
    processCommandLine: nasty,
  },
  { requiredKeys: ['@odata.type'] },
);
const evidence = fc.oneof({ weight: 5, arbitrary: evidenceRecord }, { weight: 1, arbitrary: nasty });
const alertV2 = fc.record(
  {
    id: fc.oneof({ weight: 5, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) }, { weight: 1, arbitrary: nasty }),
    title: nasty,
    description: nasty,
    severity: fc.oneof(fc.constantFrom('high', 'HIGH', 'informational', 'unknownFutureValue'), nasty),
    status: nasty,
    category: nasty,
    serviceSource: nasty,
    detectionSource: nasty,
    incidentId: fc.oneof(fc.integer(), nasty),
    tenantId: nasty,
    createdDateTime: nasty,
    lastUpdateDateTime: nasty,
    mitreTechniques: fc.oneof(fc.array(nasty, { maxLength: 5 }), nasty),
    evidence: fc.oneof({ weight: 4, arbitrary: fc.array(evidence, { maxLength: 6 }) }, { weight: 1, arbitrary: nasty }),
  },
  { requiredKeys: ['id'] },
);
const alertV1 = fc.record(
  {
    id: fc.string({ minLength: 1, maxLength: 40 }),
    title: nasty,
    severity: nasty,
    lastModifiedDateTime: nasty,
    createdDateTime: nasty,
    azureTenantId: nasty,
    vendorInformation: fc.oneof(fc.record({ provider: nasty }), nasty),
    userStates: fc.oneof(
      fc.array(
        fc.oneof(
          fc.record(
            { userPrincipalName: nasty, aadUserId: nasty, accountName: nasty, domainName: nasty },
            { requiredKeys: [] },
          ),
          nasty,
        ),
        { maxLength: 4 },
      ),
      nasty,
    ),
    hostStates: fc.oneof(
      fc.array(
        fc.oneof(
          fc.record(
            { fqdn: nasty, netBiosName: nasty, os: nasty, privateIpAddress: nasty, publicIpAddress: nasty },
            { requiredKeys: [] },
          ),
          nasty,
        ),
        { maxLength: 4 },
      ),
      nasty,
    ),
    fileStates: fc.oneof(
      fc.array(
        fc.oneof(
          fc.record(
            { name: nasty, path: nasty, fileHash: fc.oneof(fc.record({ hashValue: nasty }), nasty) },
            { requiredKeys: [] },
          ),
          nasty,
        ),
        { maxLength: 4 },
      ),
      nasty,
    ),
    networkConnections: fc.oneof(
      fc.array(
        fc.oneof(
          fc.record({ destinationAddress: nasty, sourceAddress: nasty, destinationUrl: nasty }, { requiredKeys: [] }),
          nasty,
        ),
        { maxLength: 4 },
      ),
      nasty,
    ),
  },
  { requiredKeys: ['id', 'vendorInformation'] },
);

/** The documentation's alert with a few values replaced (by null, a wrong type, junk) or removed. */
function paths(
  value: unknown,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      out.push(path);
      paths(item, path, out);
    }
  }
  return out;
}
const FIXTURE_PATHS = paths(FIXTURE);
const mutatedFixture = fc
  .array(
    fc.record({ path: fc.nat({ max: FIXTURE_PATHS.length - 1 }), value: fc.oneof(nasty, fc.constant('__delete__')) }),
    { minLength: 1, maxLength: 8 },
  )
  .map((edits) => {
    const copy = structuredClone(FIXTURE) as Record<string, unknown>;
    for (const edit of edits) {
      const path = FIXTURE_PATHS[edit.path] ?? [];
      let parent: unknown = copy;
      for (const segment of path.slice(0, -1))
        parent =
          parent && typeof parent === 'object' ? (parent as Record<string | number, unknown>)[segment] : undefined;
      const last = path.at(-1);
      if (!parent || typeof parent !== 'object' || last === undefined) continue;
      if (edit.value === '__delete__') {
        // JSON has no holes: remove array items by splicing.
        if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
        else delete (parent as Record<string | number, unknown>)[last];
      } else (parent as Record<string | number, unknown>)[last] = edit.value;
    }
    return copy;
  });

/** Every string in a normalized alert, with where it is. */
function strings(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}/${k}`));
  return [];
}

describe('normalizeAlerts under fuzzing', () => {
  it('answers any JSON value with alerts or a ValidationError', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        check(value);
      }),
      { numRuns: 500 },
    );
  });

  it('answers JSON text as the HTTP layer parses it (prototype-looking keys included)', () => {
    fc.assert(
      fc.property(
        fc.json({ maxDepth: 4 }),
        fc.constantFrom('', '__proto__', 'constructor', 'prototype'),
        (text, key) => {
          const value = JSON.parse(text) as unknown;
          if (key && value && typeof value === 'object' && !Array.isArray(value))
            Object.defineProperty(value, key, {
              value: { polluted: true },
              enumerable: true,
              configurable: true,
              writable: true,
            });
          check(value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers alerts_v2-shaped alerts with odd evidence (null items, wrong types, unknown kinds)', () => {
    fc.assert(
      fc.property(alertV2, (alert) => {
        check(alert);
      }),
      { numRuns: 500 },
    );
  });

  it('bounds every text it keeps, list items included, to 4000 characters', () => {
    const long = fc.string({ minLength: 4001, maxLength: 4010 });
    const wellFormed = fc.record({
      id: fc.string({ minLength: 1, maxLength: 40 }),
      title: long,
      mitreTechniques: fc.array(long, { maxLength: 2 }),
      evidence: fc.array(
        fc.record({
          '@odata.type': fc.constantFrom(...EVIDENCE_TYPES),
          roles: fc.array(long, { maxLength: 2 }),
          ipInterfaces: fc.array(long, { maxLength: 2 }),
          urls: fc.array(long, { maxLength: 2 }),
          networkMessageIds: fc.array(long, { maxLength: 2 }),
          ipAddress: long,
          url: long,
        }),
        { maxLength: 4 },
      ),
    });
    fc.assert(
      fc.property(wellFormed, (alert) => {
        const result = check(alert);
        for (const [path, text] of strings(result?.alerts[0]?.normalized))
          expect(text.length, path).toBeLessThanOrEqual(MAX_TEXT);
      }),
      // Shrinking 4 KB strings is slow and teaches nothing: report the first failure as it is.
      { numRuns: 30, endOnFailure: true },
    );
  });

  it('answers legacy v1-shaped alerts with odd states', () => {
    fc.assert(
      fc.property(alertV1, (alert) => {
        check(alert);
      }),
      { numRuns: 300 },
    );
  });

  it('answers { value: [...] } lists of mixed alerts', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(alertV2, alertV1, mutatedFixture, nasty), { maxLength: 8 }), (value) => {
        check({ value });
      }),
      { numRuns: 200 },
    );
  });

  it('answers the documented alert with random values replaced or removed', () => {
    expect(check(FIXTURE)?.alerts).toHaveLength(1);
    fc.assert(
      fc.property(mutatedFixture, (alert) => {
        check(alert);
      }),
      { numRuns: 500 },
    );
  });
});
