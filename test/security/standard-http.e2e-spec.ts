import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService } from '../support/service.js';

/*
 * Standard HTTP, as clients send it: media types with parameters, deep nesting anywhere in a
 * body, bytes that are not UTF-8, and a very large playbook while /health must stay quick.
 */
let fake: FakeCloud;
let service: TestService;

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  service = await startService();
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

const playbook = (id: string) =>
  `id: ${id}\nname: Reads a user\ninputs:\n  user: { type: string }\nsteps:\n  - id: read\n    action: azure_ad.get_user\n    with:\n      user: \${{ inputs.user }}\n`;
const response = {
  action: 'azure_ad.get_user',
  connectionTarget: 'contoso',
  input: { user: DEMO.users.alex.upn },
  dryRun: true,
};
const alert = (id: string) => ({
  id,
  title: 'Media type test',
  severity: 'low',
  lastUpdateDateTime: '2026-11-22T08:00:00Z',
});

describe('media types with parameters', () => {
  const jsonTypes = [
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'Application/JSON',
    'application/json; charset="utf-8"',
    'application/problem+json; charset=utf-8',
  ];
  it.each(jsonTypes)('JSON routes accept %s', async (type) => {
    const started = await service.request('POST', '/api/v1/responses', {
      raw: JSON.stringify(response),
      headers: { 'Content-Type': type },
    });
    expect(started.status, started.text).toBe(202);
    const alerts = await service.request('POST', '/api/v1/alerts', {
      raw: JSON.stringify(alert(`mt-${type}`)),
      headers: { 'Content-Type': type },
    });
    expect(alerts.status, alerts.text).toBe(202);
    const key = await service.request('POST', '/api/v1/api-keys', {
      raw: JSON.stringify({ name: `mt-${jsonTypes.indexOf(type)}`, role: 'viewer' }),
      headers: { 'Content-Type': type },
    });
    expect(key.status, key.text).toBe(201);
  });

  const yamlTypes = [
    'application/yaml; charset=utf-8',
    'application/x-yaml;charset=UTF-8',
    'text/yaml; charset=utf-8',
    'APPLICATION/YAML',
    'application/json; charset=utf-8',
  ];
  it.each(yamlTypes)('playbook routes accept %s', async (type) => {
    const id = `mt-${yamlTypes.indexOf(type)}`;
    const body = type.includes('json')
      ? JSON.stringify({
          id,
          name: 'Reads a user',
          inputs: { user: { type: 'string' } },
          steps: [{ id: 'read', action: 'azure_ad.get_user', with: { user: '${{ inputs.user }}' } }],
        })
      : playbook(id);
    const validated = await service.request('POST', '/api/v1/playbooks/validate', {
      raw: body,
      headers: { 'Content-Type': type },
    });
    expect(validated.body, validated.text).toMatchObject({ valid: true });
    const stored = await service.request('PUT', `/api/v1/playbooks/${id}`, {
      raw: body,
      headers: { 'Content-Type': type },
    });
    expect(stored.status, stored.text).toBe(201);
  });

  it.each(['text/html', 'application/xml; charset=utf-8', 'multipart/form-data; boundary=x', 'application/jsonp'])(
    'other types (%s) get 415 problem+json',
    async (type) => {
      const refused = await service.request('POST', '/api/v1/responses', {
        raw: JSON.stringify(response),
        headers: { 'Content-Type': type },
      });
      expect(refused.status).toBe(415);
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    },
  );

  it('refuses a charset other than UTF-8', async () => {
    const refused = await service.request('POST', '/api/v1/responses', {
      raw: JSON.stringify(response),
      headers: { 'Content-Type': 'application/json; charset=iso-8859-1' },
    });
    expect(refused.status).toBe(415);
    expect(refused.body.detail).toMatch(/UTF-8/);
  });
});

describe('deep nesting anywhere in a body', () => {
  const deep = (depth: number, leaf: unknown = 1) => {
    let value: unknown = leaf;
    for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
    return value;
  };
  const rawDeep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  const cases: [string, string, string, (nested: string) => string][] = [
    [
      'a response input',
      'POST',
      '/api/v1/responses',
      (n) => `{"action":"azure_ad.get_user","connectionTarget":"contoso","input":{"user":"x","extra":${n}}}`,
    ],
    ['a run input (free-form)', 'POST', '/api/v1/playbooks/mt-0/runs', (n) => `{"inputs":{"user":${n}}}`],
    [
      'an alert (free-form)',
      'POST',
      '/api/v1/alerts',
      (n) =>
        `{"id":"deep","title":"t","severity":"low","lastUpdateDateTime":"2026-11-22T08:00:00Z","evidence":[{"x":${n}}]}`,
    ],
    ['a guardrails patch', 'PATCH', '/api/v1/guardrails', (n) => `{"budgets":${n}}`],
    ['a connection target', 'POST', '/api/v1/connection-targets', (n) => `{"name":"deep","scopes":${n}}`],
    ['the top level', 'POST', '/api/v1/alerts', (n) => n],
  ];
  it.each(cases)(
    'in %s: 400 problem+json naming the limit, for 65 and for 100,000 levels',
    async (_what, method, path, wrap) => {
      for (const nested of [JSON.stringify(deep(65)), rawDeep(100_000)]) {
        const refused = await service.request(method, path, {
          raw: wrap(nested),
          headers: { 'Content-Type': 'application/json' },
        });
        expect(refused.status, refused.text.slice(0, 300)).toBe(400);
        expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
        expect(refused.body).toMatchObject({ code: 'too_deep', detail: expect.stringMatching(/nest.*64/) });
      }
      expect((await service.request('GET', '/health', { key: null })).status).toBe(200);
    },
  );

  it('accepts what real alerts carry (nesting well under the limit)', async () => {
    const posted = await service.request('POST', '/api/v1/alerts', {
      body: { ...alert('nested-ok'), evidence: [{ detail: deep(30) }] },
    });
    expect(posted.status, posted.text).toBe(202);
  });

  it('a YAML playbook nested too deep is a positioned error, not a crash', async () => {
    const refused = await service.request('PUT', '/api/v1/playbooks/deep', {
      raw: `id: deep\nname: d\nx: ${'['.repeat(50_000)}\n`,
      headers: { 'Content-Type': 'application/yaml' },
    });
    expect([400, 422]).toContain(refused.status);
    expect(refused.body.errors[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
  });
});

describe('bytes that are not UTF-8', () => {
  const invalid = [
    ['a lone continuation byte', Buffer.from([0x80])],
    ['an overlong encoding', Buffer.from([0xc0, 0xaf])],
    ['a truncated sequence', Buffer.from([0xe2, 0x82])],
    ['a UTF-16 surrogate', Buffer.from([0xed, 0xa0, 0x80])],
    ['Latin-1', Buffer.from('é', 'latin1')],
  ] as const;
  it.each(invalid)('%s in JSON is refused with 400, not replaced', async (_what, bytes) => {
    const body = Buffer.concat([
      Buffer.from('{"action":"azure_ad.get_user","connectionTarget":"contoso","input":{"user":"adele'),
      bytes,
      Buffer.from('@contoso.com"},"dryRun":true}'),
    ]);
    const refused = await fetch(`${service.url}/api/v1/responses`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${(await import('../support/service.js')).ADMIN_KEY}`,
        'Content-Type': 'application/json',
      },
      body,
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { code: string }).code).toBe('invalid_utf8');
  });
  it.each(invalid)('%s in YAML is refused with 400, not replaced', async (_what, bytes) => {
    const body = Buffer.concat([Buffer.from(playbook('bad-bytes').replace('Reads a user', 'Reads a ')), bytes]);
    const { ADMIN_KEY } = await import('../support/service.js');
    for (const path of ['/api/v1/playbooks/bad-bytes', '/api/v1/playbooks/validate']) {
      const refused = await fetch(`${service.url}${path}`, {
        method: path.endsWith('validate') ? 'POST' : 'PUT',
        headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/yaml' },
        body,
      });
      expect(refused.status, path).toBe(400);
      expect(((await refused.json()) as { code: string }).code).toBe('invalid_utf8');
    }
    expect((await service.request('GET', '/api/v1/playbooks/bad-bytes')).status).toBe(404);
  });
});

describe('a very large playbook', () => {
  it('is refused by its size before it is parsed, and /health answers all along', async () => {
    const steps = Array.from(
      { length: 12_000 },
      (_, i) => `  - id: s${i}\n    action: azure_ad.get_user\n    with: { user: "\${{ inputs.user }}" }\n`,
    ).join('');
    const huge = `id: huge\nname: Huge\ninputs:\n  user: { type: string }\nsteps:\n${steps}`;
    expect(Buffer.byteLength(huge)).toBeLessThan(1024 * 1024);
    let probes = 0;
    let stop = false;
    const probe = (async () => {
      while (!stop) {
        expect((await fetch(`${service.url}/health`)).status).toBe(200);
        probes += 1;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    while (probes === 0) await new Promise((r) => setTimeout(r, 5));
    const answers = await Promise.all(
      ['PUT /api/v1/playbooks/huge', 'POST /api/v1/playbooks/validate'].map((route) => {
        const [method, path] = route.split(' ') as [string, string];
        return service.request(method, path, { raw: huge, headers: { 'Content-Type': 'application/yaml' } });
      }),
    );
    stop = true;
    await probe;
    for (const answer of answers) {
      expect(answer.status).toBe(413);
      expect(answer.body).toMatchObject({ code: 'playbook_too_large', detail: expect.stringMatching(/KB/) });
    }
    // How long /health waits meanwhile is a timing: `npm run bench` (scenario `stall`) measures it.
    expect(probes).toBeGreaterThan(0);
  });
});

describe('a large body, read a slice at a time (256 KB a turn of the event loop)', () => {
  const SLICE = 256 * 1024;
  const head = (id: string) =>
    `{"value":[{"id":"${id}","severity":"low","lastUpdateDateTime":"2026-11-22T08:00:00Z","title":"`;
  const post = (body: Buffer | string) =>
    service.request('POST', '/api/v1/alerts', { raw: body, headers: { 'Content-Type': 'application/json' } });

  it('decodes a character split between two slices, and keeps an escape that ends a slice', async () => {
    // A 4-byte character across the first slice boundary: it starts 2 bytes before it.
    const start = head('slices-utf8');
    const pad = 'a'.repeat((SLICE - 2 - Buffer.byteLength(start)) % 4);
    const title = `${pad}${'🛡'.repeat(70_000)}`;
    // In the second alert, a backslash is the last character of the second slice, and the quote
    // it escapes the first of the third: what follows is still inside the string.
    const first = `${start}${title}"}`;
    const second = `,{"id":"slices-escape","severity":"low","lastUpdateDateTime":"2026-11-22T08:00:00Z","title":"`;
    const before = first.length + second.length;
    const fill = 'b'.repeat(2 * SLICE - 1 - before);
    const body = `${first}${second}${fill}\\"${'['.repeat(100)}"}]}`;
    expect(Buffer.from(body).readUInt8(SLICE - 2)).toBe(0xf0); // the split character's first byte
    expect(body[2 * SLICE - 1]).toBe('\\');
    const posted = await post(body);
    expect(posted.status, posted.text.slice(0, 300)).toBe(202);
    const id = posted.body.alerts.find((a: { providerAlertId: string }) => a.providerAlertId === 'slices-utf8').id;
    const stored = await service.request('GET', `/api/v1/alerts/${id}`);
    expect(stored.status).toBe(200);
    // Compared as a boolean: a failure would print 70,000 characters.
    expect(stored.body.title === title.slice(0, 4000), 'the title comes back as sent').toBe(true);
  });

  it('finds a bad byte and a nesting too deep in a later slice, and says where', async () => {
    const start = head('slices-bad');
    const bytes = Buffer.concat([
      Buffer.from(start),
      Buffer.from('c'.repeat(3 * SLICE + 10)),
      Buffer.from([0x80]),
      Buffer.from('"}]}'),
    ]);
    const bad = await post(bytes);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      code: 'invalid_utf8',
      detail: expect.stringContaining(`offset ${Buffer.byteLength(start) + 3 * SLICE + 10}`),
    });
    const deepAt = start.length + 3 * SLICE + 3;
    const deep = await post(`${start}${'d'.repeat(3 * SLICE)}","x":${'['.repeat(100)}${']'.repeat(100)}}]}`);
    expect(deep.status).toBe(400);
    expect(deep.body).toMatchObject({ code: 'too_deep', detail: expect.stringContaining(`character ${deepAt + 64}`) });
    expect((await service.request('GET', '/health', { key: null })).status).toBe(200);
  });
});
