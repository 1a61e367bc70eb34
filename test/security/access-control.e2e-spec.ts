import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startService, type TestService } from '../support/service.js';

/*
 * Every route of the OpenAPI document needs a key, and the right role. The route list is read
 * from /openapi.json at run time, so a route added later is covered without touching this file.
 * Also: no CORS headers for foreign (or look-alike) origins, and no other way to pass a key.
 */
// The sign-in redirect is where Entra ID sends a browser back: its one-time state is the proof, not a key.
// The console's sign-in page asks how people sign in before anyone is (nothing secret in the answer).
const OPEN_ROUTES = new Set([
  'GET /health',
  'GET /api/v1/schema/playbook.json',
  'GET /api/v1/sign-in/redirect',
  'GET /api/v1/auth/config',
]);
// The export stream carries the audit trail: admins and export keys only.
const ADMIN_ONLY_GETS = ['/api/v1/audit', '/api/v1/audit/verify', '/api/v1/api-keys', '/api/v1/export/events'];
const INGEST_ROUTES = new Set(['POST /api/v1/alerts']);
const EXPORT_ROUTES = new Set(['GET /api/v1/export/events']);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Route {
  method: string;
  template: string;
  path: string;
}

let service: TestService;
let routes: Route[];
const keys: Record<'viewer' | 'analyst' | 'author' | 'ingest' | 'export', string> = {
  viewer: '',
  analyst: '',
  author: '',
  ingest: '',
  export: '',
};

/** Plausible values for path parameters: a UUID for ids, a slug for names, a real feed name. */
function fill(template: string): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (name === 'feed') return 'alerts';
    if (name === 'stepId') return 'approve_isolation';
    if (/id$/i.test(name)) return randomUUID();
    return 'contoso';
  });
}

const label = (r: Route) => `${r.method} ${r.template}`;

async function call(route: Route, key: string | null, headers: Record<string, string> = {}) {
  // The live event stream never ends on its own: its status is all a role check needs.
  if (route.method === 'GET' && route.template === '/api/v1/events') {
    const abort = new AbortController();
    const response = await fetch(`${service.url}${route.path}`, {
      headers: { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...headers },
      signal: abort.signal,
    });
    const text = response.status === 200 ? '' : await response.text();
    abort.abort();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null, text };
  }
  // Writes carry a plausible JSON body, so a refusal cannot be blamed on a missing body.
  const body = route.method === 'GET' || route.method === 'DELETE' || route.method === 'HEAD' ? undefined : {};
  return service.request(route.method, route.path, { key, body, headers });
}

beforeAll(async () => {
  service = await startService();
  for (const role of Object.keys(keys) as (keyof typeof keys)[]) {
    const created = await service.request('POST', '/api/v1/api-keys', { body: { name: `sec-${role}`, role } });
    expect(created.status, created.text).toBe(201);
    keys[role] = created.body.key;
  }
  const spec = await service.request('GET', '/openapi.json', { key: null });
  expect(spec.status).toBe(200);
  routes = [];
  for (const [template, item] of Object.entries(spec.body.paths as Record<string, Record<string, unknown>>)) {
    for (const method of METHODS) {
      if (!item[method]) continue;
      const route = { method: method.toUpperCase(), template, path: fill(template) };
      if (!OPEN_ROUTES.has(label(route))) routes.push(route);
    }
  }
});
afterAll(async () => {
  await service?.close();
});

describe('every route needs a key', () => {
  it('lists the routes this suite checks (sanity: the document is the real one)', () => {
    const labels = routes.map(label);
    expect(labels).toEqual(
      expect.arrayContaining([
        'POST /api/v1/responses',
        'GET /api/v1/runs/{id}',
        'PUT /api/v1/playbooks/{id}',
        'POST /api/v1/api-keys',
        'GET /api/v1/audit',
        'POST /api/v1/alerts',
      ]),
    );
    expect(routes.length).toBeGreaterThan(20);
  });

  it('answers 401 with a Bearer challenge without a key, for every route in /openapi.json', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const response = await call(route, null);
      if (
        response.status !== 401 ||
        !/^Bearer/.test(response.headers.get('www-authenticate') ?? '') ||
        response.body?.code !== 'unauthenticated'
      ) {
        wrong.push(`${label(route)} -> ${response.status} ${response.text.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers 401 to an unknown rip_ key, for every route', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const response = await call(route, 'rip_UnknownKeyUnknownKeyUnknownKey01');
      if (response.status !== 401 || !/^Bearer/.test(response.headers.get('www-authenticate') ?? ''))
        wrong.push(`${label(route)} -> ${response.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers 401 to HEAD on every GET route without a key (HEAD is not a way around the guard)', async () => {
    const wrong: string[] = [];
    for (const route of routes.filter((r) => r.method === 'GET')) {
      const response = await service.request('HEAD', route.path, { key: null });
      if (response.status !== 401) wrong.push(`HEAD ${route.template} -> ${response.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('takes the key only from "Authorization: Bearer": not Basic, not bare, not another header, not the query string', async () => {
    const attempts: { path: string; headers: Record<string, string> }[] = [
      {
        path: '/api/v1/audit',
        headers: { Authorization: `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}` },
      },
      { path: '/api/v1/audit', headers: { Authorization: `Basic ${Buffer.from(ADMIN_KEY).toString('base64')}` } },
      { path: '/api/v1/audit', headers: { Authorization: ADMIN_KEY } },
      { path: '/api/v1/audit', headers: { Authorization: 'Bearer' } },
      { path: '/api/v1/audit', headers: { Authorization: 'Bearer ' } },
      { path: '/api/v1/audit', headers: { 'X-API-Key': ADMIN_KEY } },
      { path: '/api/v1/audit', headers: { Cookie: `api_key=${ADMIN_KEY}` } },
      { path: `/api/v1/audit?api_key=${ADMIN_KEY}`, headers: {} },
      { path: `/api/v1/audit?access_token=${ADMIN_KEY}`, headers: {} },
      { path: '/api/v1/audit', headers: { Authorization: `Bearer ${ADMIN_KEY}x` } },
      { path: '/api/v1/audit', headers: { Authorization: `Bearer ${ADMIN_KEY.slice(0, -1)}` } },
      { path: '/api/v1/audit', headers: { Authorization: `Bearer ${ADMIN_KEY.toUpperCase()}` } },
      { path: '/api/v1/audit', headers: { Authorization: `Bearer ${ADMIN_KEY.replace('rip_', 'rip-')}` } },
      { path: '/api/v1/audit', headers: { Authorization: `Bearer ${ADMIN_KEY}%00` } },
      { path: '/api/v1/audit', headers: { Authorization: `Bearer ' OR '1'='1` } },
    ];
    for (const attempt of attempts) {
      const response = await service.request('GET', attempt.path, { key: null, headers: attempt.headers });
      expect(response.status, JSON.stringify(attempt)).toBe(401);
    }
    // /metrics is not in the OpenAPI document; it is not open unless RIPOSTE_METRICS_PUBLIC says so.
    expect((await service.request('GET', '/metrics', { key: null })).status).toBe(401);
  });
});

describe('roles', () => {
  it('refuses a viewer every non-GET route with 403 (validating a playbook too: parsing untrusted YAML is for authors)', async () => {
    const wrong: string[] = [];
    for (const route of routes.filter((r) => r.method !== 'GET')) {
      const response = await call(route, keys.viewer);
      if (response.status !== 403 || response.body?.code !== 'forbidden') {
        wrong.push(`${label(route)} -> ${response.status} ${response.text.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lets a viewer read the GET routes that are not admin-only', async () => {
    const wrong: string[] = [];
    for (const route of routes.filter((r) => r.method === 'GET' && !ADMIN_ONLY_GETS.includes(r.template))) {
      const response = await call(route, keys.viewer);
      if (response.status === 401 || response.status === 403) wrong.push(`${label(route)} -> ${response.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the audit trail and the key list to admins', async () => {
    for (const role of ['viewer', 'analyst', 'author', 'ingest'] as const) {
      for (const path of ADMIN_ONLY_GETS) {
        const response = await service.request('GET', path, { key: keys[role] });
        expect(response.status, `${role} GET ${path}`).toBe(403);
        // The refusal does not leak the list it guards.
        expect(response.body.items).toBeUndefined();
      }
    }
    for (const path of ADMIN_ONLY_GETS) expect((await service.request('GET', path)).status).toBe(200);
  });

  it('refuses an ingest key everything but POST /api/v1/alerts', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const response = await call(route, keys.ingest);
      if (INGEST_ROUTES.has(label(route))) {
        if (response.status === 401 || response.status === 403)
          wrong.push(`${label(route)} should accept ingest -> ${response.status}`);
      } else if (response.status !== 403) {
        wrong.push(`${label(route)} -> ${response.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses an export key everything but GET /api/v1/export/events', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const response = await call(route, keys.export);
      if (EXPORT_ROUTES.has(label(route))) {
        if (response.status !== 200) wrong.push(`${label(route)} should accept export -> ${response.status}`);
      } else if (response.status !== 403) {
        wrong.push(`${label(route)} -> ${response.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('cannot mint a key with more power than admin gives, nor with an unknown role, from a lesser role', async () => {
    for (const role of ['viewer', 'analyst', 'author', 'ingest'] as const) {
      const response = await service.request('POST', '/api/v1/api-keys', {
        key: keys[role],
        body: { name: `escalate-${role}`, role: 'admin' },
      });
      expect(response.status).toBe(403);
      expect(response.text).not.toMatch(/rip_[A-Za-z0-9]{16,}/);
    }
    const bogus = await service.request('POST', '/api/v1/api-keys', { body: { name: 'bogus', role: 'root' } });
    expect(bogus.status).toBe(400);
    const list = await service.request('GET', '/api/v1/api-keys');
    expect(list.body.items.map((k: { name: string }) => k.name)).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^escalate-|^bogus$/)]),
    );
  });
});

describe('CORS', () => {
  const ORIGINS = [
    'null',
    'https://evil.example',
    'https://riposte.dev.evil.example',
    'http://localhost.evil.example',
    'http://127.0.0.1.evil.example',
    'http://localhost:3000',
    'file://',
  ];

  const noCors = (headers: Headers, what: string) => {
    expect(headers.get('access-control-allow-origin'), what).toBeNull();
    expect(headers.get('access-control-allow-credentials'), what).toBeNull();
    expect(headers.get('access-control-allow-headers'), what).toBeNull();
    expect(headers.get('access-control-allow-methods'), what).toBeNull();
  };

  it('sends no Access-Control-Allow-* headers to foreign or look-alike origins', async () => {
    for (const origin of ORIGINS) {
      for (const [method, path, key] of [
        ['GET', '/api/v1/runs', ADMIN_KEY],
        ['GET', '/health', null],
        ['GET', '/openapi.json', null],
        ['GET', '/api/v1/runs', null],
      ] as const) {
        const response = await service.request(method, path, { key, headers: { Origin: origin } });
        noCors(response.headers, `${origin} ${method} ${path}`);
      }
      const post = await service.request('POST', '/api/v1/api-keys', {
        headers: { Origin: origin },
        body: { name: 'cors-probe', role: 'viewer' },
      });
      noCors(post.headers, `${origin} POST`);
      if (post.status === 201) await service.request('DELETE', `/api/v1/api-keys/${post.body.id}`);
    }
  });

  it('answers preflight OPTIONS without granting anything', async () => {
    for (const origin of ORIGINS) {
      for (const [path, method] of [
        ['/api/v1/responses', 'POST'],
        ['/api/v1/api-keys', 'POST'],
        ['/api/v1/connection-targets/contoso', 'DELETE'],
        ['/api/v1/runs', 'GET'],
      ] as const) {
        const response = await service.request('OPTIONS', path, {
          key: null,
          headers: {
            Origin: origin,
            'Access-Control-Request-Method': method,
            'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key',
          },
        });
        noCors(response.headers, `OPTIONS ${path} from ${origin}`);
        expect(response.status, `OPTIONS ${path}`).toBeLessThan(500);
      }
    }
  });
});
