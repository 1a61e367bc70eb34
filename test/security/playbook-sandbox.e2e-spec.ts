import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, type ServiceProcess, spawnService } from '../support/service-process.js';
import { enableAutomation, startService, type TestService, waitForRun } from '../support/service.js';

/*
 * Playbooks are code an author uploads: their expressions must stay inert (no way out of the
 * JSONata sandbox, no prototype pollution, bounded time) and their YAML must not be a way to
 * exhaust or corrupt the service. Every hostile playbook is either refused at load (422 with
 * line and column, nothing stored) or, where it loads, runs (dry) to nothing harmful.
 */
const playbooksDir = mkdtempSync(join(tmpdir(), 'riposte-sec-playbooks-'));
let service: TestService;
let counter = 0;

beforeAll(async () => {
  service = await startService({ RIPOSTE_PLAYBOOKS_DIR: playbooksDir });
});
afterAll(async () => {
  await service?.close();
  rmSync(playbooksDir, { recursive: true, force: true });
});
afterEach(() => {
  // The service runs in this process: any pollution of Object.prototype would show here.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  expect(typeof ({} as Record<string, unknown>).toString).toBe('function');
  expect(Object.keys(Object.prototype)).toEqual([]);
});

const single = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** A playbook whose only job is to evaluate `expression` into its output `probe`. */
function probePlaybook(id: string, expression: string, where: 'output' | 'if' | 'text' = 'output'): string {
  const lines = [
    `id: ${id}`,
    'name: Expression probe',
    'inputs:',
    '  user: { type: string, default: "aaa" }',
    'steps:',
  ];
  if (where === 'if') lines.push('  - id: maybe', `    if: ${single(`\${{ ${expression} }}`)}`, '    succeed: {}');
  lines.push('  - id: done', '    succeed: {}', 'outputs:');
  lines.push(
    where === 'text'
      ? `  probe: ${single(`value: \${{ ${expression} }} end`)}`
      : `  probe: ${single(`\${{ ${expression} }}`)}`,
  );
  return `${lines.join('\n')}\n`;
}

/** Uploads a playbook and, when it loads, turns its automation on so that alerts reach its triggers. */
async function upload(id: string, yaml: string) {
  const response = await service.request('PUT', `/api/v1/playbooks/${id}`, {
    raw: yaml,
    headers: { 'Content-Type': 'application/yaml' },
  });
  if (response.status === 201) await enableAutomation(service, id);
  return response;
}

function expectPositioned422(
  response: { status: number; headers: Headers; body: any; text: string },
  what: string,
): void {
  expect(response.status, `${what}: ${response.text.slice(0, 300)}`).toBe(422);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body.errors.length, what).toBeGreaterThan(0);
  for (const error of response.body.errors) {
    expect(error.line, `${what}: ${JSON.stringify(error)}`).toEqual(expect.any(Number));
    expect(error.column, `${what}: ${JSON.stringify(error)}`).toEqual(expect.any(Number));
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.column).toBeGreaterThanOrEqual(1);
  }
  expect(response.text).not.toMatch(/at .*\.(ts|js):\d+/);
}

/** Nothing an expression returns may be code, a prototype or the process. */
function expectInert(value: unknown, what: string): void {
  const text = JSON.stringify(value) ?? 'undefined';
  expect(text, what).not.toMatch(
    /native code|\[object |_jsonata_lambda|"environment"|"bind"|"lookup":|RIPOSTE_TEST_PKI_DIR|NODE_EXTRA_CA_CERTS/,
  );
  for (const secret of [process.env.PATH, process.env.HOME, process.env.NODE_EXTRA_CA_CERTS, process.cwd()]) {
    if (secret && secret.length > 4) expect(text, what).not.toContain(secret);
  }
}

describe('expressions that reach for the runtime', () => {
  const HOSTILE = [
    'inputs.constructor',
    'inputs.__proto__',
    'inputs.prototype',
    '$lookup(inputs, "constructor")',
    '$lookup(inputs, "__proto__")',
    '$lookup(inputs, "constr" & "uctor")',
    '$lookup(inputs, "__pro" & "to__")',
    '$lookup({}, "constr" & "uctor")',
    '$lookup("abc", "constr" & "uctor")',
    '$lookup($string, "constr" & "uctor")',
    '$lookup($lookup(inputs, "constr" & "uctor"), "constr" & "uctor")',
    '($f := function($x){$x}; $lookup($f, "constr" & "uctor"))',
    '($f := function($x){$x}; $lookup($f, "environment"))',
    '($f := function($x){$x}; $keys($f))',
    '($f := function($x){$x}; $string($f))',
    '$keys($string)',
    '$string($lookup)',
    '$each($string, function($v, $k){ $k })',
    'process.env',
    'process',
    'global.process',
    'globalThis',
    'this',
    'require("fs")',
    '$require("fs")',
    'module.exports',
    'import("fs")',
    'Function("return process")()',
    '$Function("return process")',
    'constructor.constructor("return process")()',
    '$eval("process")',
    '$eval("1 + 1")',
    '$e := $eval; $e("1")',
    '`${process}`',
    '`${process.env.PATH}`',
    '`constructor`',
    '`__proto__`',
    '$$.`__proto__`',
    'inputs.`constr` & `uctor`',
    '$merge([{}, $lookup(inputs, "__pro" & "to__")])',
    '$merge([{"a": 1}, {"toString": 1}])',
    '$spread(inputs)',
    '$sift(inputs, function($v, $k){ true })',
    'inputs ~> | $ | {"polluted": true} |',
    '{"a": {"b": 1}} ~> | a | {"polluted": true} |',
    '$environment',
    '$process',
    '$globalThis',
    '$lookup($, "inputs")',
  ];

  it('are refused at load with a position, or evaluate to nothing harmful in a dry run', async () => {
    const outcomes: string[] = [];
    const loaded: { id: string; expression: string; where: string }[] = [];
    const probes = HOSTILE.flatMap((expression) =>
      (['output', 'text', 'if'] as const).map((where) => ({ id: `probe-${++counter}`, expression, where })),
    );
    await Promise.all(
      probes.map(async ({ id, expression, where }) => {
        const response = await upload(id, probePlaybook(id, expression, where));
        if (response.status === 422) {
          expectPositioned422(response, expression);
          expect((await service.request('GET', `/api/v1/playbooks/${id}`)).status).toBe(404);
          outcomes.push(`refused ${expression}`);
          return;
        }
        expect(response.status, `${expression}: ${response.text}`).toBe(201);
        loaded.push({ id, expression, where });
      }),
    );
    // Dry-run everything that loaded, all at once.
    await Promise.all(
      loaded.map(async ({ id, expression, where }) => {
        const started = await service.request('POST', `/api/v1/playbooks/${id}/runs`, {
          body: { inputs: { user: 'aaa' }, dryRun: true },
        });
        expect(started.status, started.text).toBe(202);
        const run = await waitForRun(service, started.body.runId);
        expect(['succeeded', 'failed'], `${expression}: ${JSON.stringify(run.error)}`).toContain(run.status);
        const probe = run.output?.probe;
        expectInert(run.output, expression);
        expectInert(run.error, expression);
        expectInert(run.steps, expression);
        if (where === 'output' && probe !== undefined && probe !== null) {
          // Whatever loads may only give back plain data.
          expect(['string', 'number', 'boolean', 'object'], expression).toContain(typeof probe);
        }
        outcomes.push(`ran ${expression} -> ${JSON.stringify(probe)}`);
      }),
    );
    // The classic escapes must not even load.
    for (const expression of [
      'inputs.constructor',
      'inputs.__proto__',
      'process.env',
      'require("fs")',
      '$eval("1 + 1")',
      'Function("return process")()',
    ]) {
      expect(outcomes, expression).toContain(`refused ${expression}`);
    }
  });

  it('stop runaway evaluations (recursion, huge sequences, huge strings) within their bounds of work', async () => {
    for (const expression of [
      '($f := function($n){ $n > 0 ? $f($n - 1) + $f($n - 1) : 1 }; $f(40))',
      '($f := function($n){ $f($n + 1) }; $f(0))',
      '($f := function($n){ [$f($n), $f($n)] }; $f(0))',
      '$reduce([1..100000], function($a, $b){ $a + $b })',
      '$count([1..10000000])',
      '$length($pad("x", 40000000))',
    ]) {
      const id = `loop-${++counter}`;
      const loaded = await upload(id, probePlaybook(id, expression));
      if (loaded.status === 422) {
        expectPositioned422(loaded, expression);
        continue;
      }
      expect(loaded.status).toBe(201);
      const started = await service.request('POST', `/api/v1/playbooks/${id}/runs`, { body: { dryRun: true } });
      // Bounded by work (50,000 steps), not by time: unbounded, it would not end within waitForRun's bound.
      const run = await waitForRun(service, started.body.runId);
      expect(['failed', 'succeeded']).toContain(run.status);
      // The service still answers.
      expect((await service.request('GET', '/health', { key: null })).status).toBe(200);
    }
  });

  it('run catastrophic regexes in linear time (RE2), and refuse what RE2 cannot run, at load', async () => {
    // On JavaScript's backtracking engine each of these takes minutes on 30 characters of hostile input.
    for (const regex of [
      '/(a+)+$/',
      '/(a*)*b/',
      '/^(\\w+\\s?)*$/',
      '/(.*a){25}/',
      '/^(a|a?)+$/',
      '/(a|a)*$/',
      '/(a|aa)*$/',
    ]) {
      const id = `regex-${++counter}`;
      expect((await upload(id, probePlaybook(id, `$contains(inputs.user, ${regex})`))).status, regex).toBe(201);
      const started = await service.request('POST', `/api/v1/playbooks/${id}/runs`, {
        body: { inputs: { user: `${'a'.repeat(5000)}!` }, dryRun: true },
      });
      // Backtracking, this run would not end within waitForRun's bound; in linear time it does.
      const run = await waitForRun(service, started.body.runId);
      expect(run.status, regex).toBe('succeeded');
    }
    for (const regex of ['/(a)\\1/', '/a(?=b)/', '/(?<!a)b/']) {
      const id = `regex-${++counter}`;
      expectPositioned422(await upload(id, probePlaybook(id, `$match(inputs.user, ${regex})`)), regex);
      expect((await service.request('GET', `/api/v1/playbooks/${id}`)).status).toBe(404);
    }
  });

  it('match trigger title regexes in linear time: one hostile title does not stall alert intake', async () => {
    for (const regex of ['(a+)+$', '(a|a)*$', '^(a|aa)+$']) {
      const id = `title-regex-${++counter}`;
      const yaml = `id: ${id}\nname: Title regex\ntriggers:\n  - alert: { title: { regex: ${single(regex)} } }\nsteps:\n  - id: done\n    succeed: {}\n`;
      expect((await upload(id, yaml)).status, regex).toBe(201);
    }
    // Backtracking, matching this title would hold the service for minutes: the request would not
    // be answered within the test's timeout.
    const response = await service.request('POST', '/api/v1/alerts', {
      body: {
        id: `regex-dos-${counter}`,
        title: `${'a'.repeat(999)}!`,
        severity: 'high',
        status: 'new',
        createdDateTime: new Date().toISOString(),
        lastUpdateDateTime: new Date().toISOString(),
      },
    });
    expect(response.status, response.text).toBe(202);
    const backreference = `id: title-regex-${++counter}\nname: Title regex\ntriggers:\n  - alert: { title: { regex: '(a)\\1' } }\nsteps:\n  - id: done\n    succeed: {}\n`;
    expectPositioned422(await upload(`title-regex-${counter}`, backreference), 'backreference');
  });

  it('keep one alert from blocking the service through a trigger title glob', async () => {
    const id = `title-glob-${++counter}`;
    const yaml = `id: ${id}\nname: Title glob\ntriggers:\n  - alert: { title: { glob: "*a*a*a*b" } }\nsteps:\n  - id: done\n    succeed: {}\n`;
    const loaded = await upload(id, yaml);
    if (loaded.status === 422) return expectPositioned422(loaded, 'glob');
    expect(loaded.status).toBe(201);
    // A glob turned into a backtracking regex would hold the service far past the test's timeout.
    const response = await service.request('POST', '/api/v1/alerts', {
      body: {
        id: `glob-dos-${counter}`,
        title: 'a'.repeat(300),
        severity: 'high',
        status: 'new',
        createdDateTime: new Date().toISOString(),
        lastUpdateDateTime: new Date().toISOString(),
      },
    });
    expect(response.status, response.text).toBe(202);
  });
});

describe('hostile YAML', () => {
  const BASE = 'name: Hostile\nsteps:\n  - id: done\n    succeed: {}\n';
  const laughs = [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  ].join('\n');
  const deepBlock = (levels: number) =>
    `${Array.from({ length: levels }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} leaf\n`;
  const CASES: [string, (id: string) => string][] = [
    ['billion laughs', (id) => `id: ${id}\n${BASE}x:\n${laughs.replace(/^/gm, '  ')}\n`],
    [
      'many aliases',
      (id) => `id: ${id}\n${BASE}x:\n  a: &a [1]\n${Array.from({ length: 200 }, (_, i) => `  k${i}: *a`).join('\n')}\n`,
    ],
    [
      '!!js/function',
      (id) =>
        `id: ${id}\nname: !!js/function "function () { return process.exit(1) }"\nsteps:\n  - id: done\n    succeed: {}\n`,
    ],
    ['!!js/undefined', (id) => `id: ${id}\n${BASE}description: !!js/undefined ''\n`],
    ['!!python/object', (id) => `id: ${id}\n${BASE}description: !!python/object/apply:os.system ["id"]\n`],
    ['local tag', (id) => `id: ${id}\n${BASE}description: !exec "id"\n`],
    ['verbatim tag', (id) => `id: ${id}\n${BASE}description: !<tag:yaml.org,2002:js/regexp> /x/\n`],
    ['%TAG directive', (id) => `%TAG !e! tag:evil.example,2000:\n---\nid: ${id}\n${BASE}description: !e!payload x\n`],
    ['merge with __proto__', (id) => `id: ${id}\n${BASE}<<: { __proto__: { polluted: true } }\n`],
    ['merge of an alias', (id) => `id: ${id}\n${BASE}x: &x { polluted: true }\ninputs:\n  <<: *x\n`],
    ['__proto__ key', (id) => `id: ${id}\n${BASE}__proto__: { polluted: true }\n`],
    ['quoted __proto__ key', (id) => `id: ${id}\n${BASE}"__proto__": { polluted: true }\n`],
    [
      'nested __proto__ key',
      (id) =>
        `id: ${id}\nname: Hostile\ninputs:\n  user:\n    __proto__: { polluted: true }\n    type: string\nsteps:\n  - id: done\n    succeed: {}\n`,
    ],
    [
      '__proto__ in step with',
      (id) =>
        `id: ${id}\nname: Hostile\nsteps:\n  - id: read\n    action: azure_ad.get_user\n    with:\n      user: x\n      __proto__: { polluted: true }\n`,
    ],
    ['constructor key', (id) => `id: ${id}\n${BASE}constructor: { prototype: { polluted: true } }\n`],
    ['prototype key', (id) => `id: ${id}\n${BASE}outputs:\n  prototype: { polluted: true }\n`],
    ['complex key', (id) => `id: ${id}\n${BASE}? [__proto__]\n: { polluted: true }\n`],
    [
      'alias as key',
      (id) => `id: ${id}\nname: &k __proto__\n*k : { polluted: true }\nsteps:\n  - id: done\n    succeed: {}\n`,
    ],
    ['duplicate keys', (id) => `id: ${id}\n${BASE}name: Again\n`],
    ['nesting 65 deep (block)', (id) => `id: ${id}\n${BASE}x:\n${deepBlock(66).replace(/^/gm, '  ')}`],
    ['nesting 100 deep (flow)', (id) => `id: ${id}\n${BASE}x: ${'['.repeat(100)}1${']'.repeat(100)}\n`],
    ['nesting 100 deep (flow maps)', (id) => `id: ${id}\n${BASE}x: ${'{a: '.repeat(100)}1${'}'.repeat(100)}\n`],
    ['two documents', (id) => `id: ${id}\n${BASE}---\nid: other\n`],
  ];

  it('is refused with 422 and a position, nothing is stored, Object.prototype stays clean', async () => {
    for (const [what, make] of CASES) {
      const id = `yaml-${++counter}`;
      const yaml = make(id);
      expectPositioned422(await upload(id, yaml), what);
      expect((await service.request('GET', `/api/v1/playbooks/${id}`)).status, what).toBe(404);
      const validated = await service.request('POST', '/api/v1/playbooks/validate', {
        raw: yaml,
        headers: { 'Content-Type': 'application/yaml' },
      });
      expect(validated.status, what).toBe(200);
      expect(validated.body.valid, what).toBe(false);
      expect(({} as Record<string, unknown>).polluted, what).toBeUndefined();
    }
    const list = await service.request('GET', '/api/v1/playbooks');
    expect(list.body.items.filter((p: { id: string }) => p.id.startsWith('yaml-'))).toEqual([]);
  });

  it('refuses an uploaded playbook over 256 KB before parsing it (413 at the door)', async () => {
    const id = `yaml-big-${++counter}`;
    for (const size of [1024 * 1024, 256 * 1024 + 1]) {
      const yaml = `id: ${id}\n${BASE}description: "${'x'.repeat(size)}"\n`;
      const response = await upload(id, yaml);
      expect(response.status, response.text.slice(0, 200)).toBe(413);
      expect(response.body.code).toBe('playbook_too_large');
    }
    expect((await service.request('GET', `/api/v1/playbooks/${id}`)).status).toBe(404);
    // Just under the limit, YAML that is mostly a comment is accepted (how fast: the bench's `stall`).
    const justUnder = `id: ${id}\n${BASE}# ${'x'.repeat(256 * 1024 - 200)}\n`;
    const ok = await upload(id, justUnder);
    expect(ok.status, ok.text.slice(0, 200)).toBe(201);
  });

  it('does not accept YAML sent as JSON to dodge the loader checks', async () => {
    const id = `yaml-json-${++counter}`;
    const json = `{"id": "${id}", "name": "x", "steps": [{"id": "done", "succeed": {}}], "__proto__": {"polluted": true}}`;
    const response = await service.request('PUT', `/api/v1/playbooks/${id}`, {
      raw: json,
      headers: { 'Content-Type': 'application/json' },
    });
    expect([400, 422]).toContain(response.status);
    expect((await service.request('GET', `/api/v1/playbooks/${id}`)).status).toBe(404);
  });
});

describe('deeply nested flow YAML against a real service process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'riposte-sec-yaml-'));
  let child: ServiceProcess;

  beforeAll(async () => {
    child = await spawnService({
      RIPOSTE_DATA_DIR: dataDir,
      RIPOSTE_PLAYBOOKS_DIR: join(dataDir, 'playbooks'),
      LOG_LEVEL: 'info',
    });
  });
  afterAll(async () => {
    await child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every request and stays up (a few KB of "[" must not kill the process)', async () => {
    const outcomes: string[] = [];
    for (const body of [
      '['.repeat(5000),
      '{'.repeat(5000),
      '['.repeat(5000),
      `id: x\nname: y\nsteps: ${'['.repeat(5000)}`,
    ]) {
      let status: number | string;
      try {
        const response = await fetch(`${child.url}/api/v1/playbooks/validate`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${'rip_TestAdminKey000000000000000000000001'}`,
            'Content-Type': 'application/yaml',
          },
          body,
        });
        status = response.status;
        const answer = (await response.json()) as { valid?: boolean };
        if (response.status === 200) expect(answer.valid).toBe(false);
      } catch (error) {
        status = `no answer (${(error as Error).message})`;
      }
      outcomes.push(`${body.slice(0, 12)}… -> ${status}`);
    }
    const health = await call(child.url, 'GET', '/health').catch((error: Error) => ({
      status: `down: ${error.message}`,
      body: null,
    }));
    expect({ outcomes, health: health.status, log: /FATAL ERROR[^\n]*/.exec(child.output())?.[0] ?? null }).toEqual({
      outcomes: outcomes.map((o) => o.replace(/-> .*$/, '-> 200')),
      health: 200,
      log: null,
    });
  });
});
