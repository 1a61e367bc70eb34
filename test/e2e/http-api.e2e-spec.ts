import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService, waitForRun } from '../support/service.js';

let fake: FakeCloud;
let service: TestService;
let viewerKey: string;
let analystKey: string;

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  service = await startService();
  expect(
    (
      await service.request('POST', '/api/v1/connection-targets', {
        body: demoTarget(fake, 'contoso', {
          auth: {
            type: 'clientSecret',
            clientSecret: DEMO.clientSecret,
            expiresAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
          },
        }),
      })
    ).status,
  ).toBe(201);
  viewerKey = (await service.request('POST', '/api/v1/api-keys', { body: { name: 'dashboard', role: 'viewer' } })).body
    .key;
  analystKey = (await service.request('POST', '/api/v1/api-keys', { body: { name: 'soc-bot', role: 'analyst' } })).body
    .key;
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

const disable = (user: string) => ({ action: 'azure_ad.disable_user', connectionTarget: 'contoso', input: { user } });

describe('authentication and roles', () => {
  it('answers 401 without a key or with an unknown one, with a WWW-Authenticate challenge', async () => {
    for (const key of [null, 'rip_unknownkeyunknownkeyunknownkey00']) {
      const response = await service.request('GET', '/api/v1/runs', { key });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(response.body.type).toBe('urn:riposte:problem:unauthenticated');
    }
  });

  it('answers 403 when the role is too small, and audits the refusal', async () => {
    const response = await service.request('POST', '/api/v1/responses', {
      key: viewerKey,
      body: disable(DEMO.users.alex.upn),
    });
    expect(response.status).toBe(403);
    expect(response.body.detail).toMatch(/needs the analyst role/);
    const audit = await service.request('GET', '/api/v1/audit?actor=dashboard');
    expect(audit.body.items[0]).toMatchObject({ actor: 'dashboard', actorRole: 'viewer', result: 'denied' });
    expect((await service.request('GET', '/api/v1/connection-targets', { key: analystKey })).status).toBe(200);
    expect((await service.request('DELETE', '/api/v1/connection-targets/contoso', { key: analystKey })).status).toBe(
      403,
    );
  });

  it('lets /health through without a key', async () => {
    const { status, body } = await service.request('GET', '/health', { key: null });
    expect(status).toBe(200);
    expect(body.info.database.status).toBe('up');
  });

  it('creates, lists and revokes keys; a revoked key stops working at once', async () => {
    const created = await service.request('POST', '/api/v1/api-keys', { body: { name: 'temp', role: 'viewer' } });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^rip_[A-Za-z0-9]{32}$/);
    const list = await service.request('GET', '/api/v1/api-keys');
    expect(list.text).not.toContain(created.body.key);
    expect(list.body.items.find((k: { id: string }) => k.id === created.body.id)).toMatchObject({
      name: 'temp',
      role: 'viewer',
      prefix: expect.stringMatching(/^rip_.{6}…$/),
    });
    expect((await service.request('GET', '/api/v1/runs', { key: created.body.key })).status).toBe(200);
    expect((await service.request('DELETE', `/api/v1/api-keys/${created.body.id}`)).status).toBe(204);
    expect((await service.request('GET', '/api/v1/runs', { key: created.body.key })).status).toBe(401);
  });
});

describe('idempotency', () => {
  it('returns the first answer for the same key and body, and starts one run', async () => {
    const headers = { 'Idempotency-Key': `disable-alex-${Date.now()}` };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        service.request('POST', '/api/v1/responses', { key: analystKey, body: disable(DEMO.users.alex.upn), headers }),
      ),
    );
    const accepted = answers.filter((a) => a.status === 202);
    // Concurrent duplicates either get the first answer or a 409 "still being processed": never a second run.
    expect(
      answers.every((a) => a.status === 202 || (a.status === 409 && a.body.code === 'idempotency_in_progress')),
    ).toBe(true);
    expect(new Set(accepted.map((a) => a.body.runId)).size).toBe(1);
    await waitForRun(service, accepted[0]!.body.runId);
    const replay = await service.request('POST', '/api/v1/responses', {
      key: analystKey,
      body: disable(DEMO.users.alex.upn),
      headers,
    });
    expect(replay.status).toBe(202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.runId).toBe(accepted[0]!.body.runId);
    const runs = await service.request('GET', '/api/v1/runs?limit=500');
    expect(
      runs.body.items.filter((r: { input: { user?: string } }) => r.input?.user === DEMO.users.alex.upn),
    ).toHaveLength(1);
  });

  it('refuses the same key with a different body', async () => {
    const headers = { 'Idempotency-Key': `k-${Date.now()}` };
    expect(
      (
        await service.request('POST', '/api/v1/responses', {
          key: analystKey,
          body: { ...disable(DEMO.users.megan.upn), dryRun: true },
          headers,
        })
      ).status,
    ).toBe(202);
    const conflict = await service.request('POST', '/api/v1/responses', {
      key: analystKey,
      body: { ...disable(DEMO.users.adele.upn), dryRun: true },
      headers,
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('idempotency_key_reused');
  });
});

describe('bad input', () => {
  it('rejects malformed bodies with problem+json that says what and where', async () => {
    const cases: [{ raw?: string; body?: unknown; headers?: Record<string, string> }, number, string][] = [
      [{ raw: '{"action": ', headers: { 'Content-Type': 'application/json' } }, 400, 'invalid_json'],
      [{ raw: '{"__proto__": {"admin": true}}', headers: { 'Content-Type': 'application/json' } }, 400, 'invalid_json'],
      [
        { raw: 'action=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
        415,
        'unsupported_media_type',
      ],
      [
        {
          raw: JSON.stringify({ ...disable('x'), input: { user: 'x'.repeat(1024 * 1024) } }),
          headers: { 'Content-Type': 'application/json' },
        },
        413,
        'payload_too_large',
      ],
      [{ body: { action: 'azure_ad.disable_user', connectionTarget: 'contoso', input: {} } }, 400, 'validation_failed'],
      [{ body: { action: 'azure_ad.fly_to_moon', connectionTarget: 'contoso', input: {} } }, 404, 'not_found'],
      [{ body: disable('x').action && { ...disable('x'), connectionTarget: 'nowhere' } }, 404, 'not_found'],
    ];
    for (const [request, status, code] of cases) {
      const response = await service.request('POST', '/api/v1/responses', { key: analystKey, ...request });
      expect(response.status, response.text).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({
        status,
        code,
        type: `urn:riposte:problem:${code}`,
        detail: expect.any(String),
        requestId: expect.any(String),
      });
      expect(response.text).not.toMatch(/at .*\.(ts|js):\d+/);
    }
    const missing = await service.request('POST', '/api/v1/responses', {
      key: analystKey,
      body: { action: 'azure_ad.disable_user', connectionTarget: 'contoso', input: {} },
    });
    expect(missing.body.errors).toEqual([{ path: '/input/user', message: 'is required' }]);
  });

  it('rejects ids that are not UUIDs and bad list parameters', async () => {
    expect((await service.request('GET', '/api/v1/runs/not-a-uuid')).status).toBe(400);
    expect((await service.request('GET', '/api/v1/runs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const bad = await service.request('GET', '/api/v1/runs?limit=5000&status=bogus');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['limit', 'status']);
  });

  it('pages lists with a cursor', async () => {
    for (const user of [DEMO.users.adele.upn, DEMO.users.megan.upn, DEMO.users.alex.upn]) {
      await service.request('POST', '/api/v1/responses', { key: analystKey, body: { ...disable(user), dryRun: true } });
    }
    const first = await service.request('GET', '/api/v1/runs?limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await service.request('GET', `/api/v1/runs?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].id).not.toBe(first.body.items[1].id);
    expect(Date.parse(second.body.items[0].createdAt)).toBeLessThanOrEqual(Date.parse(first.body.items[1].createdAt));
  });
});

describe('operations', () => {
  it('serves the OpenAPI document generated from the code, and the docs page', async () => {
    const spec = await service.request('GET', '/openapi.json', { key: null });
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toBe('3.1.0');
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/connection-targets',
        '/api/v1/responses',
        '/api/v1/runs/{id}',
        '/api/v1/actions',
      ]),
    );
    expect(
      spec.body.paths['/api/v1/connection-targets'].post.requestBody.content['application/json'].schema.properties
        .tenantId,
    ).toBeDefined();
    expect((await service.request('GET', '/docs', { key: null })).status).toBe(200);
  });

  it('warns in /health and /metrics about a secret that expires within 30 days', async () => {
    const health = await service.request('GET', '/health', { key: null });
    expect(health.body.info.credentials).toMatchObject({
      status: 'degraded',
      expiring: [{ connectionTarget: 'contoso', daysLeft: 9 }],
    });
    expect((await service.request('GET', '/metrics', { key: null })).status).toBe(401);
    const metrics = await service.request('GET', '/metrics', { key: viewerKey });
    expect(metrics.text).toMatch(/riposte_connection_target_secret_expiry_seconds\{connection_target="contoso"\} \d+/);
    expect(metrics.text).toMatch(/riposte_actions_total\{action="azure_ad.disable_user",result="succeeded"\} \d+/);
    expect(metrics.text).toMatch(/riposte_azure_requests_total\{service="graph",method="PATCH",status="204"\} \d+/);
    expect(metrics.text).toMatch(/riposte_token_requests_total\{resource="graph",result="ok"\} 1/);
  });

  it('lists the action catalogue with schemas, roles and inverses', async () => {
    const { body } = await service.request('GET', '/api/v1/actions', { key: viewerKey });
    expect(body.map((a: { id: string }) => a.id)).toEqual(
      expect.arrayContaining([
        'azure_ad.disable_user',
        'azure_ad.enable_user',
        'azure_ad.revoke_sessions',
        'defender.isolate_machine',
        'defender.release_machine',
        'graph_security.update_alert',
      ]),
    );
    expect(body.find((a: { id: string }) => a.id === 'defender.isolate_machine')).toMatchObject({
      inverse: 'defender.release_machine',
      destructive: true,
      requiredRoles: [
        { resource: 'defender', role: 'Machine.Isolate' },
        { resource: 'defender', role: 'Machine.Read.All', satisfiedBy: ['Machine.ReadWrite.All'] },
      ],
      inputSchema: { type: 'object', required: ['machine'] },
    });
  });
});
