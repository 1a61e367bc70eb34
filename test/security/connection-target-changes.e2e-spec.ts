import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService } from '../support/service.js';

/*
 * A connection target cannot be turned against its own secret: whoever may edit a target must not
 * be able to point it (tenant, client id, cloud, any endpoint) somewhere else and let the service
 * send the stored secret, or a token, there.
 */
let fake: FakeCloud;
let other: FakeCloud;
let service: TestService;
const secret = { type: 'clientSecret', clientSecret: DEMO.clientSecret, expiresAt: '2028-11-01T00:00:00Z' };

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  other = await startFakeCloud();
  other.seedDemo();
  service = await startService();
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
  await other?.close();
});

const OTHER_GUID = '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f';

describe('changing where a target sends its credential', () => {
  const moves: [string, (f: FakeCloud, o: FakeCloud) => Record<string, unknown>, string[]][] = [
    ['tenantId', () => ({ tenantId: OTHER_GUID }), ['tenantId']],
    ['clientId', () => ({ clientId: OTHER_GUID }), ['clientId']],
    ['cloud', () => ({ cloud: 'usgov', endpoints: undefined }), ['cloud', 'endpoints.authority', 'endpoints.graph']],
    [
      'endpoints.authority',
      (f, o) => ({ endpoints: { ...f.endpoints, authority: o.endpoints.authority } }),
      ['endpoints.authority'],
    ],
    ['endpoints.graph', (f, o) => ({ endpoints: { ...f.endpoints, graph: o.endpoints.graph } }), ['endpoints.graph']],
    [
      'endpoints.defender',
      (f, o) => ({ endpoints: { ...f.endpoints, defender: o.endpoints.defender } }),
      ['endpoints.defender'],
    ],
  ];

  it.each(moves)(
    'a change of %s without the secret is refused, naming what changed, and nothing is stored',
    async (field, patch, named) => {
      const name = `move-${field.replace('.', '-').toLowerCase()}`;
      expect(
        (await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake, name) })).status,
      ).toBe(201);
      const before = (await service.request('GET', `/api/v1/connection-targets/${name}`)).body;
      const refused = await service.request('PATCH', `/api/v1/connection-targets/${name}`, {
        body: patch(fake, other),
      });
      expect(refused.status, refused.text).toBe(400);
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(refused.body).toMatchObject({ code: 'credential_required', errors: [{ path: '/auth' }] });
      for (const n of named) if (field !== 'cloud' || n === 'cloud') expect(refused.body.detail).toContain(n);
      expect((await service.request('GET', `/api/v1/connection-targets/${name}`)).body).toEqual(before);

      // The same change with the secret given again is accepted and audited with what changed.
      const accepted = await service.request('PATCH', `/api/v1/connection-targets/${name}`, {
        body: { ...patch(fake, other), auth: secret },
      });
      expect(accepted.status, accepted.text).toBe(200);
      const audit = await service.request(
        'GET',
        `/api/v1/audit?action=connection_target.changed&connectionTarget=${name}`,
      );
      expect(audit.body.items).toHaveLength(1);
      expect(audit.body.items[0]).toMatchObject({
        actor: 'admin (RIPOSTE_ADMIN_KEY)',
        targetEntity: name,
        detail: {
          changed: expect.objectContaining({ [field]: { from: expect.anything(), to: expect.anything() } }),
          credential: 'replaced (clientSecret)',
        },
      });
      expect(JSON.stringify(audit.body)).not.toContain(DEMO.clientSecret);
    },
  );

  it('settings that do not move the credential (scopes, a new expiry) need no secret, and are audited too', async () => {
    expect(
      (await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake, 'scoped') })).status,
    ).toBe(201);
    const scoped = await service.request('PATCH', '/api/v1/connection-targets/scoped', {
      body: { scopes: { graph: `${fake.endpoints.graph}/.default` } },
    });
    expect(scoped.status, scoped.text).toBe(200);
    const same = await service.request('PATCH', '/api/v1/connection-targets/scoped', {
      body: { endpoints: fake.endpoints, tenantId: DEMO.tenantId.toUpperCase() },
    });
    expect(same.status, 'the same endpoints and tenant again are no change').toBe(200);
    const audit = (
      await service.request('GET', '/api/v1/audit?action=connection_target.changed&connectionTarget=scoped')
    ).body.items;
    expect(audit.map((r: { detail: { changed: object } }) => Object.keys(r.detail.changed))).toEqual([[], ['scopes']]);
  });

  it('a managed identity has no stored secret to protect: its target may move without one', async () => {
    const body = { name: 'mi-target', tenantId: DEMO.tenantId, cloud: 'public', auth: { type: 'managedIdentity' } };
    expect((await service.request('POST', '/api/v1/connection-targets', { body })).status).toBe(201);
    expect(
      (await service.request('PATCH', '/api/v1/connection-targets/mi-target', { body: { tenantId: OTHER_GUID } }))
        .status,
    ).toBe(200);
  });

  it('drops the tokens of the old endpoints: after a move, calls carry tokens from the new authority only', async () => {
    expect(
      (await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake, 'mover') })).status,
    ).toBe(201);
    const read = () =>
      service.request('POST', '/api/v1/responses?wait=10', {
        body: { action: 'azure_ad.get_user', connectionTarget: 'mover', input: { user: DEMO.users.alex.upn } },
      });
    expect((await read()).body.status).toBe('succeeded');
    const tokensAtOther = other.count({ service: 'identity' });
    const moved = await service.request('PATCH', '/api/v1/connection-targets/mover', {
      body: { endpoints: other.endpoints, auth: secret },
    });
    expect(moved.status, moved.text).toBe(200);
    const graphBefore = other.count({ service: 'graph' });
    const after = await read();
    expect(after.body.status, after.text).toBe('succeeded');
    // The new graph accepted the call: the token was minted by the new authority for the new graph
    // (the fake refuses a token whose audience is another cloud's graph).
    expect(other.count({ service: 'identity' })).toBeGreaterThan(tokensAtOther);
    expect(other.count({ service: 'graph' })).toBeGreaterThan(graphBefore);
    expect(other.requests({ service: 'graph' }).every((r) => r.status !== 401)).toBe(true);
  });
});
