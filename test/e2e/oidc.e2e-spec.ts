import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_TENANT_ID } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService } from '../support/service.js';

const AUDIENCE = 'api://riposte';
const CONSOLE_CLIENT_ID = '5fa00000-0000-4000-8000-00000000c0de';
let fake: FakeCloud;
let service: TestService;

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  service = await startService({
    RIPOSTE_OIDC_ISSUER: `${fake.url}/${DEMO_TENANT_ID}/v2.0`,
    RIPOSTE_OIDC_AUDIENCE: AUDIENCE,
    RIPOSTE_OIDC_CLIENT_ID: CONSOLE_CLIENT_ID,
  });
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

const signIn = (roles: string[], extra: { claims?: Record<string, unknown>; audience?: string } = {}) =>
  fake.signInUser({
    audience: extra.audience ?? AUDIENCE,
    upn: 'sara.soc@contoso.com',
    objectId: '5a1d0000-0000-4000-8000-000000000005',
    roles,
    claims: extra.claims,
  });

describe('sign-in tokens from Entra ID', () => {
  it('lets a signed-in analyst act, audited under their name', async () => {
    const token = signIn(['Riposte.Analyst']);
    expect((await service.request('GET', '/api/v1/runs', { key: token })).status).toBe(200);
    const fired = await service.request('POST', '/api/v1/responses?wait=10', {
      key: token,
      body: { action: 'azure_ad.revoke_sessions', connectionTarget: 'contoso', input: { user: DEMO.users.alex.upn } },
    });
    expect(fired.body).toMatchObject({ status: 'succeeded', trigger: { by: 'sara.soc@contoso.com' } });
    const audit = await service.request('GET', `/api/v1/audit?runId=${fired.body.id}`);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        action: 'action.azure_ad.revoke_sessions',
        actor: 'sara.soc@contoso.com',
        actorRole: 'analyst',
      }),
    );
    // The JWKS was fetched once and is cached.
    expect(fake.count({ service: 'identity', method: 'GET', path: '/discovery/v2.0/keys' })).toBe(1);
  });

  it('maps the highest app role, and refuses routes above it with 403', async () => {
    const both = signIn(['Riposte.Viewer', 'Riposte.Author']);
    expect(
      (
        await service.request('PUT', '/api/v1/playbooks/oidc-check', {
          key: both,
          raw: 'id: oidc-check\nname: x\nsteps:\n  - id: a\n    action: core.noop\n',
          headers: { 'Content-Type': 'application/yaml' },
        })
      ).status,
    ).toBe(201);
    const denied = await service.request('POST', '/api/v1/api-keys', {
      key: both,
      body: { name: 'x', role: 'viewer' },
    });
    expect(denied).toMatchObject({
      status: 403,
      body: { detail: 'This needs the admin role; sara.soc@contoso.com has author.' },
    });
  });

  it('answers 403 when the token carries none of our app roles', async () => {
    const none = await service.request('GET', '/api/v1/runs', { key: signIn(['Some.Other.Role']) });
    expect(none).toMatchObject({
      status: 403,
      body: { code: 'no_role', detail: expect.stringContaining('Riposte.Analyst') },
    });
  });

  it.each([
    [
      'expired',
      { claims: { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 } },
      /has expired/,
    ],
    ['for another API', { audience: 'api://someone-else' }, /'aud' claim/],
    [
      'from another tenant',
      { claims: { iss: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0' } },
      /'iss' claim/,
    ],
    ['an ID token (no azp)', { claims: { azp: undefined } }, /not an access token/],
  ])('refuses a token %s with 401 and the reason', async (_name, extra, reason) => {
    const refused = await service.request('GET', '/api/v1/runs', { key: signIn(['Riposte.Admin'], extra) });
    expect(refused).toMatchObject({
      status: 401,
      body: { code: 'invalid_token', detail: expect.stringMatching(reason) },
    });
  });

  it('refuses forged, unsigned and malformed tokens', async () => {
    const [header, , signature] = signIn(['Riposte.Viewer']).split('.');
    const forgedClaims = Buffer.from(
      JSON.stringify({
        aud: AUDIENCE,
        iss: `${fake.url}/${DEMO_TENANT_ID}/v2.0`,
        azp: 'x',
        roles: ['Riposte.Admin'],
        exp: 9_999_999_999,
        iat: 1,
      }),
    ).toString('base64url');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${forgedClaims}.`;
    for (const token of [`${header}.${forgedClaims}.${signature}`, unsigned, 'eyJhbGciOiJSUzI1NiJ9.e30.e30']) {
      const refused = await service.request('GET', '/api/v1/runs', { key: token });
      expect(refused.status).toBe(401);
      expect(refused.text).not.toContain(token);
    }
  });

  it('tells the console how to sign people in, without a key and with nothing secret', async () => {
    const answer = await service.request('GET', '/api/v1/auth/config', { key: null });
    expect(answer).toMatchObject({ status: 200 });
    expect(answer.body).toEqual({
      apiKey: true,
      entra: {
        clientId: CONSOLE_CLIENT_ID,
        authority: `${fake.url}/${DEMO_TENANT_ID}`,
        scopes: ['api://riposte/access_as_user'],
      },
    });
  });

  it('keeps API keys working beside sign-in tokens', async () => {
    expect((await service.request('GET', '/api/v1/runs')).status).toBe(200);
  });
});

describe('when the identity provider cannot be reached', () => {
  it('answers 503 for sign-in tokens and still accepts API keys', async () => {
    const elsewhere = await startService({
      RIPOSTE_OIDC_ISSUER: `${fake.url}/unknown-tenant.example/v2.0`,
      RIPOSTE_OIDC_AUDIENCE: AUDIENCE,
    });
    try {
      const refused = await elsewhere.request('GET', '/api/v1/runs', { key: signIn(['Riposte.Viewer']) });
      expect(refused).toMatchObject({ status: 503, body: { code: 'oidc_unavailable' } });
      expect((await elsewhere.request('GET', '/api/v1/runs')).status).toBe(200);
    } finally {
      await elsewhere.close();
    }
  });
});
