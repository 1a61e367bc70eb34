import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService, waitForRun } from '../support/service.js';

/*
 * SQL-looking and malformed input in every place a caller controls — query parameters, cursors,
 * path parameters, names, ids, header values — gets a 4xx or an empty answer, never a 500, and
 * never more rows than it should; the tables keep working afterwards.
 */
let fake: FakeCloud;
let service: TestService;
const runIds: string[] = [];
let alertId: string;

const enc = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const q = encodeURIComponent;

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  service = await startService();
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
  for (const user of [DEMO.users.adele.upn, DEMO.users.megan.upn, DEMO.users.alex.upn]) {
    const started = await service.request('POST', '/api/v1/responses', {
      body: { action: 'azure_ad.disable_user', connectionTarget: 'contoso', input: { user }, dryRun: true },
    });
    expect(started.status).toBe(202);
    runIds.push(started.body.runId);
    await waitForRun(service, started.body.runId);
  }
  const now = new Date().toISOString();
  const alert = await service.request('POST', '/api/v1/alerts', {
    body: {
      id: 'sql-probe-alert',
      title: 'Probe',
      severity: 'high',
      status: 'new',
      createdDateTime: now,
      lastUpdateDateTime: now,
    },
  });
  expect(alert.status, alert.text).toBe(202);
  alertId = alert.body.alerts[0].id;
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

/** 4xx (a refusal) or 2xx; never 5xx; problem+json on refusals. */
function expectHandled(response: { status: number; headers: Headers; text: string }, what: string): void {
  expect(response.status, `${what} -> ${response.status} ${response.text.slice(0, 200)}`).toBeLessThan(500);
  if (response.status >= 400) expect(response.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
  expect(response.text, what).not.toMatch(/SQLITE_|QueryFailedError|syntax error|at .*\.(ts|js):\d+/i);
}

describe('SQL-looking query parameters', () => {
  const LISTS: [string, number | 'empty'][] = [
    [`/api/v1/runs?playbook=${q("x' OR '1'='1")}`, 'empty'],
    [`/api/v1/runs?playbook=${q('x" OR "1"="1')}`, 'empty'],
    [`/api/v1/runs?playbook=${q("x' OR 1=1 --")}`, 'empty'],
    [`/api/v1/runs?playbook=${q('%')}`, 'empty'],
    [`/api/v1/runs?playbook=${q("') UNION SELECT * FROM api_keys --")}`, 'empty'],
    [`/api/v1/runs?status=${q("' OR 1=1--")}`, 400],
    [`/api/v1/runs?status=${q('succeeded OR 1=1')}`, 400],
    [`/api/v1/runs?alert=${q('1;DROP TABLE runs')}`, 400],
    [`/api/v1/runs?alert=${q("00000000-0000-4000-8000-000000000000' OR '1'='1")}`, 400],
    [`/api/v1/runs?limit=${q('1;DROP TABLE runs')}`, 400],
    ['/api/v1/runs?limit=-1', 400],
    ['/api/v1/runs?limit=0', 400],
    ['/api/v1/runs?limit=1e9', 400],
    ['/api/v1/runs?limit=2.5', 400],
    ['/api/v1/runs?playbook=a&playbook=b', 400],
    ['/api/v1/runs?playbook[]=a', 400],
    [`/api/v1/runs?${q("1' OR '1'='1")}=1`, 400],
    [`/api/v1/audit?actor=${q("x' OR '1'='1")}`, 'empty'],
    [`/api/v1/audit?actor=${q("admin' --")}`, 'empty'],
    [`/api/v1/audit?action=${q("x' OR 1=1; DELETE FROM audit_records; --")}`, 'empty'],
    [`/api/v1/audit?connectionTarget=${q("'; DROP TABLE audit_records;--")}`, 'empty'],
    [`/api/v1/audit?runId=${q("' OR 1=1")}`, 400],
    [`/api/v1/alerts?severity=${q("' OR 1=1--")}`, 'empty'],
    [`/api/v1/alerts?severity=${q("high' OR '1'='1")}`, 'empty'],
    [`/api/v1/alerts?since=${q("' OR 1=1")}`, 400],
    [`/api/v1/alerts?since=${q('2024-01-01T00:00:00Z OR 1=1')}`, 400],
    [`/api/v1/playbooks/disable-azure-ad-user?version=${q('1 OR 1=1')}`, 404],
  ];

  it('are refused or match nothing; never a 500, never every row', async () => {
    for (const [path, expected] of LISTS) {
      const response = await service.request('GET', path);
      expectHandled(response, path);
      if (expected === 'empty') {
        expect(response.status, path).toBe(200);
        expect(response.body.items, path).toEqual([]);
      } else {
        expect(response.status, `${path}: ${response.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        if (expected === 400) expect(response.status, path).toBe(400);
      }
    }
  });

  it('take a date that the schema calls valid but Date cannot read (a leap second) without a 500', async () => {
    for (const since of ['2024-01-01T23:59:60Z', '2016-12-31T23:59:60Z', '2024-01-01T00:00:00+23:59']) {
      const response = await service.request('GET', `/api/v1/alerts?since=${q(since)}`);
      expectHandled(response, `since=${since}`);
    }
  });
});

describe('cursors made of SQL or garbage', () => {
  const CURSORS = [
    "' OR 1=1 --",
    enc("' OR 1=1 --"),
    enc('["2999-01-01T00:00:00Z\' OR \'1\'=\'1", "x"]'),
    enc(["2999-01-01T00:00:00Z' OR '1'='1", "zzzz' OR '1'='1"]),
    enc(['x']),
    enc([]),
    enc([null]),
    enc([{ $gt: '' }]),
    enc({ createdAt: { $gt: '' } }),
    enc([1e308, -1e308]),
    enc(['a'.repeat(300)]),
    enc('null'),
    enc('"string"'),
    enc('[1,'),
    '%00',
    'eyJhbGciOiJub25lIn0',
    '....',
    'a'.repeat(501),
    '\u0000',
    '🙂',
  ];

  it('are refused (400) or page from a harmless place; never a 500, never extra rows', async () => {
    const wrong: string[] = [];
    for (const list of ['/api/v1/runs', '/api/v1/audit', '/api/v1/alerts']) {
      const all = await service.request('GET', `${list}?limit=500`);
      for (const cursor of CURSORS) {
        const response = await service.request('GET', `${list}?limit=5&cursor=${q(cursor)}`);
        const what = `${list} cursor=${JSON.stringify(Buffer.from(cursor, 'base64url').toString('utf8').slice(0, 60))} (${cursor.slice(0, 20)})`;
        if (response.status >= 500 || /SQLITE_|QueryFailedError/.test(response.text))
          wrong.push(`${what} -> ${response.status}`);
        else if (response.status === 200)
          expect(response.body.items.length, what).toBeLessThanOrEqual(Math.min(5, all.body.items.length));
        else expect(response.status, what).toBe(400);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('SQL-looking path parameters, names and ids', () => {
  it('find nothing and change nothing', async () => {
    const paths: [string, string][] = [
      ['GET', `/api/v1/connection-targets/${q("contoso' OR '1'='1")}`],
      ['GET', `/api/v1/connection-targets/${q("x' UNION SELECT secretCiphertext FROM connection_targets --")}`],
      ['PATCH', `/api/v1/connection-targets/${q("' OR 1=1 --")}`],
      ['DELETE', `/api/v1/connection-targets/${q("' OR 1=1 --")}`],
      ['DELETE', `/api/v1/connection-targets/${q("contoso' --")}`],
      ['POST', `/api/v1/connection-targets/${q("' OR 1=1 --")}/test`],
      ['GET', `/api/v1/playbooks/${q("' OR '1'='1")}`],
      ['DELETE', `/api/v1/playbooks/${q("' OR '1'='1")}`],
      ['GET', `/api/v1/playbooks/${q("x'--")}/graph`],
      ['GET', `/api/v1/runs/${q("' OR 1=1")}`],
      ['POST', `/api/v1/runs/${q("' OR 1=1")}/cancel`],
      ['GET', `/api/v1/alerts/${q("' OR 1=1")}`],
      ['GET', `/api/v1/actions/${q("azure_ad.disable_user' OR '1'='1")}`],
      ['PUT', `/api/v1/connectors/${q("' OR 1=1 --")}/alerts`],
      ['POST', `/api/v1/connectors/contoso/${q("alerts' OR '1'='1")}/poll`],
      ['DELETE', `/api/v1/api-keys/${q("' OR 1=1 --")}`],
    ];
    for (const [method, path] of paths) {
      const body = method === 'PATCH' ? { tenantId: DEMO.tenantId } : method === 'PUT' ? { enabled: false } : undefined;
      const response = await service.request(method, path, { body });
      expectHandled(response, `${method} ${path}`);
      expect(response.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
    }
    expect((await service.request('GET', '/api/v1/connection-targets/contoso')).status).toBe(200);
    expect((await service.request('GET', '/api/v1/api-keys')).body.items.length).toBeGreaterThan(0);
  });

  it('refuses SQL in names and targets of bodies', async () => {
    const bad = await service.request('POST', '/api/v1/connection-targets', {
      body: demoTarget(fake, "x'; DROP TABLE connection_targets;--"),
    });
    expectHandled(bad, 'name with quotes');
    expect(bad.status).toBe(400);
    const quoted = await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake, 'x"y') });
    expect(quoted.status).toBe(400);
    const key = await service.request('POST', '/api/v1/api-keys', {
      body: { name: "bot'; DROP TABLE api_keys;--", role: 'viewer' },
    });
    expectHandled(key, 'key name');
    expect(key.status).toBe(400);
    const response = await service.request('POST', '/api/v1/responses', {
      body: {
        action: "azure_ad.disable_user' OR '1'='1",
        connectionTarget: "contoso' OR '1'='1",
        input: { user: "' OR 1=1 --" },
        dryRun: true,
      },
    });
    expectHandled(response, 'response with quotes');
    expect(response.status).toBeGreaterThanOrEqual(400);
    const run = await service.request('POST', '/api/v1/responses?wait=10', {
      body: { action: 'azure_ad.get_user', connectionTarget: 'contoso', input: { user: "x' OR '1'='1" } },
    });
    expectHandled(run, 'user with quotes');
    expect(run.body.status).toBe('failed');
    expect(run.body.error.code).toMatch(/not_found|invalid|validation/);
  });

  it('stores SQL-looking alert ids and idempotency keys as plain text', async () => {
    const now = new Date().toISOString();
    const id = "' OR 1=1; DROP TABLE alerts; --";
    const posted = await service.request('POST', '/api/v1/alerts', {
      body: {
        id,
        title: "Robert'); DROP TABLE runs;--",
        severity: "high' OR '1'='1",
        createdDateTime: now,
        lastUpdateDateTime: now,
      },
    });
    expect(posted.status, posted.text).toBe(202);
    const stored = await service.request('GET', `/api/v1/alerts/${posted.body.alerts[0].id}`);
    expect(stored.body.providerAlertId).toBe(id);
    const headers = { 'Idempotency-Key': "'OR'1'='1';DROP/**/TABLE/**/idempotency_records;--" };
    const body = {
      action: 'azure_ad.get_user',
      connectionTarget: 'contoso',
      input: { user: DEMO.users.alex.upn },
      dryRun: true,
    };
    const first = await service.request('POST', '/api/v1/responses', { body, headers });
    const again = await service.request('POST', '/api/v1/responses', { body, headers });
    expect(first.status).toBe(202);
    expect(again.body.runId).toBe(first.body.runId);
    await waitForRun(service, first.body.runId);
  });
});

describe('malformed alerts and bodies', () => {
  const now = new Date().toISOString();
  const alert = (extra: Record<string, unknown>) => ({
    id: `malformed-${Math.random()}`,
    title: 'Malformed',
    severity: 'low',
    createdDateTime: now,
    lastUpdateDateTime: now,
    ...extra,
  });

  it('refuses or accepts odd alert shapes, but never answers 500', async () => {
    const bodies: [string, unknown][] = [
      ['evidence [null]', alert({ evidence: [null] })],
      ['evidence [1, "x", []]', alert({ evidence: [1, 'x', []] })],
      ['evidence not a list', alert({ evidence: { '@odata.type': '#microsoft.graph.security.userEvidence' } })],
      [
        'userAccount null',
        alert({ evidence: [{ '@odata.type': '#microsoft.graph.security.userEvidence', userAccount: null }] }),
      ],
      [
        'imageFile null',
        alert({
          evidence: [
            { '@odata.type': '#microsoft.graph.security.processEvidence', imageFile: null, userAccount: null },
          ],
        }),
      ],
      ['@odata.type object', alert({ evidence: [{ '@odata.type': { x: 1 } }] })],
      [
        'v1 with null states',
        alert({ vendorInformation: null, userStates: [null], hostStates: null, networkConnections: [null] }),
      ],
      ['v1 with vendorInformation string', alert({ vendorInformation: 'x', fileStates: [{ fileHash: null }] })],
      ['value [null]', { value: [null] }],
      ['value []', { value: [] }],
      ['value of 1001', { value: Array.from({ length: 1001 }, (_, i) => alert({ id: `many-${i}` })) }],
      ['id number', alert({ id: 42 })],
      ['id object', alert({ id: { toString: 'x' } })],
      ['title object', alert({ title: { a: 1 } })],
      ['severity number', alert({ severity: 5 })],
      ['dates garbage', alert({ createdDateTime: "' OR 1=1", lastUpdateDateTime: 'not a date' })],
      ['top-level array', [alert({})]],
      ['top-level string', 'alert'],
      ['top-level null', null],
      ['deep nesting', alert({ evidence: [JSON.parse(`${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`)] })],
    ];
    const failures: string[] = [];
    for (const [what, body] of bodies) {
      const response = await service.request('POST', '/api/v1/alerts', { body });
      if (response.status >= 500 || ![202, 400, 413, 422].includes(response.status))
        failures.push(`${what} -> ${response.status} ${response.text.slice(0, 150)}`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses a credential expiry date the schema calls valid but Date cannot read, without a 500', async () => {
    const response = await service.request('POST', '/api/v1/connection-targets', {
      body: demoTarget(fake, 'leap-second', {
        auth: { type: 'clientSecret', clientSecret: 'x'.repeat(20), expiresAt: '2028-12-31T23:59:60Z' },
      }),
    });
    expectHandled(response, 'expiresAt leap second');
  });

  it('refuses prototype keys in JSON bodies, wherever they are nested', async () => {
    for (const raw of [
      '{"inputs": {"__proto__": {"polluted": true}}}',
      '{"inputs": {"constructor": {"prototype": {"polluted": true}}}}',
      '{"dryRun": true, "inputs": {"a": [{"__proto__": {"polluted": true}}]}}',
    ]) {
      const response = await service.request('POST', '/api/v1/playbooks/disable-azure-ad-user/runs', {
        raw,
        headers: { 'Content-Type': 'application/json' },
      });
      expect(response.status, raw).toBe(400);
      expect(response.body.code).toBe('invalid_json');
    }
    const alertRaw = `{"id": "proto-alert", "title": "x", "__proto__": {"polluted": true}}`;
    expect(
      (
        await service.request('POST', '/api/v1/alerts', {
          raw: alertRaw,
          headers: { 'Content-Type': 'application/json' },
        })
      ).status,
    ).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('NUL characters (which PostgreSQL cannot store in text)', () => {
  it('are refused where they are, in bodies, keys, query parameters and YAML escapes, on either store', async () => {
    const cases: [string, string, unknown, string][] = [
      [
        'POST',
        '/api/v1/alerts',
        { id: 'nul-alert', title: 'a\u0000b', severity: 'low', lastUpdateDateTime: '2026-11-22T08:00:00Z' },
        '/title',
      ],
      ['POST', '/api/v1/api-keys', { name: 'x\u0000y', role: 'viewer' }, '/name'],
      [
        'POST',
        '/api/v1/guardrails/protected',
        { kind: 'user', value: 'a@x.com', reason: 'r', extra: { 'k\u0000': 1 } },
        '/extra/k\u0000',
      ],
      [
        'POST',
        '/api/v1/responses',
        { action: 'azure_ad.get_user', connectionTarget: 'contoso', input: { user: ['a\u0000b'] } },
        '/input/user/0',
      ],
      ['GET', `/api/v1/audit?actor=${q('a\u0000b')}`, undefined, 'actor'],
    ];
    for (const [method, path, body, where] of cases) {
      const response = await service.request(method, path, { body });
      expect(response.status, path).toBe(400);
      expect(response.body.errors, path).toEqual([{ path: where, message: 'contains a NUL character' }]);
    }
    const yaml =
      'id: nul-name\nname: "a\\0b"\nsteps:\n  - id: read\n    action: azure_ad.get_user\n    with:\n      user: x\n';
    const playbook = await service.request('PUT', '/api/v1/playbooks/nul-name', {
      raw: yaml,
      headers: { 'Content-Type': 'application/yaml' },
    });
    expect(playbook.status).toBe(422);
    expect(playbook.body.errors).toEqual([
      expect.objectContaining({ line: 2, column: 7, message: expect.stringMatching(/NUL character/) }),
    ]);
  });
});

describe('afterwards', () => {
  it('every table still works and still holds what it held', async () => {
    const runs = await service.request('GET', '/api/v1/runs?limit=500');
    expect(runs.status).toBe(200);
    expect(runs.body.items.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining(runIds));
    const alerts = await service.request('GET', '/api/v1/alerts?limit=500');
    expect(alerts.body.items.map((a: { id: string }) => a.id)).toContain(alertId);
    expect((await service.request('GET', `/api/v1/alerts/${alertId}`)).status).toBe(200);
    const audit = await service.request('GET', '/api/v1/audit?limit=500');
    expect(audit.status).toBe(200);
    expect(audit.body.items.length).toBeGreaterThan(5);
    expect(
      (await service.request('GET', '/api/v1/connection-targets')).body.items.map((t: { name: string }) => t.name),
    ).toContain('contoso');
    expect((await service.request('GET', '/api/v1/playbooks')).body.items.length).toBeGreaterThan(0);
    const fresh = await service.request('POST', '/api/v1/responses?wait=10', {
      body: { action: 'azure_ad.get_user', connectionTarget: 'contoso', input: { user: DEMO.users.megan.upn } },
    });
    expect(fresh.body.status).toBe('succeeded');
  });
});
