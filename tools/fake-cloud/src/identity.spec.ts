import { ConfidentialClientApplication, PublicClientApplication, type Configuration } from '@azure/msal-node';
import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCloud } from '../../../test/support/fake-cloud.js';
import { DEMO, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TENANT_ID } from './demo-seed.js';
import type { FakeCloud } from './fake-cloud.js';
import { createClientCertificate } from './pki.js';
import { decodeJwt } from './tokens.js';

const http = axios.create({ validateStatus: () => true });

describe('identity: msal-node 7.2.1 against the fake over HTTPS', () => {
  let fake: FakeCloud;
  beforeAll(async () => {
    fake = await startFakeCloud({ deviceCodeIntervalSeconds: 0.05 });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.seedDemo();
  });

  const app = (auth: Partial<Configuration['auth']> = {}, tenant = DEMO_TENANT_ID) =>
    new ConfidentialClientApplication({
      auth: {
        clientId: DEMO_CLIENT_ID,
        clientSecret: DEMO_CLIENT_SECRET,
        authority: `${fake.url}/${tenant}`,
        knownAuthorities: [new URL(fake.url).host],
        ...auth,
      },
    });

  /** The msal ServerError a token call rejects with. */
  const failure = async (cca: ConfidentialClientApplication, scope = `${fake.endpoints.graph}/.default`) => {
    const error = await cca.acquireTokenByClientCredential({ scopes: [scope] }).then(
      () => undefined,
      (e: unknown) =>
        e as { name: string; errorCode: string; errorNo?: string | number; status?: number; errorMessage: string },
    );
    expect(error, 'the token call should fail').toBeDefined();
    // msal types errorNo as a string but passes on the number from error_codes; compare as text.
    return { ...error!, name: error!.name, errorNo: error!.errorNo === undefined ? undefined : String(error!.errorNo) };
  };

  it('issues a Graph token for a client secret, then msal serves it from its cache', async () => {
    const cca = app();
    const first = await cca.acquireTokenByClientCredential({ scopes: [`${fake.endpoints.graph}/.default`] });
    expect(first?.fromCache).toBe(false);
    const claims = decodeJwt(first!.accessToken)!;
    expect(claims.header).toEqual({ alg: 'none', typ: 'JWT' });
    expect(claims.payload).toMatchObject({
      aud: fake.endpoints.graph,
      tid: DEMO_TENANT_ID,
      appid: DEMO_CLIENT_ID,
      azp: DEMO_CLIENT_ID,
      roles: DEMO.roles.graph,
    });
    expect(Number(claims.payload.exp) - Number(claims.payload.iat)).toBe(3599);

    const second = await cca.acquireTokenByClientCredential({ scopes: [`${fake.endpoints.graph}/.default`] });
    expect(second?.fromCache).toBe(true);
    expect(second?.accessToken).toBe(first?.accessToken);
    expect(fake.tokenRequests()).toBe(1);
    expect(fake.count({ service: 'identity', method: 'GET', path: '/.well-known/openid-configuration' })).toBe(1);
  });

  it('accepts a client certificate: the assertion is checked against the registered SHA-256 thumbprint', async () => {
    const cert = await createClientCertificate('riposte-cert-app');
    const clientId = '5b1e0c8e-3f0a-4d6b-9a51-8c2f7d3e1a90';
    fake.addApp({
      tenantId: DEMO_TENANT_ID,
      clientId,
      certificateThumbprints: [cert.thumbprintSha256],
      roles: { defender: ['Machine.Read.All'] },
    });
    const cca = app({
      clientId,
      clientSecret: undefined,
      clientCertificate: { thumbprintSha256: cert.thumbprintSha256, privateKey: cert.privateKeyPem },
    });
    const result = await cca.acquireTokenByClientCredential({ scopes: [`${fake.endpoints.defender}/.default`] });
    expect(decodeJwt(result!.accessToken)!.payload).toMatchObject({
      aud: fake.endpoints.defender,
      appid: clientId,
      roles: ['Machine.Read.All'],
    });

    const other = await createClientCertificate('not-registered');
    const refused = await failure(
      app({
        clientId,
        clientSecret: undefined,
        clientCertificate: { thumbprintSha256: other.thumbprintSha256, privateKey: other.privateKeyPem },
      }),
    );
    expect(refused).toMatchObject({ errorCode: 'invalid_client', errorNo: '700027' });
  });

  it('serves a tenant addressed by domain name with its GUID endpoints', async () => {
    const result = await app({}, 'contoso.onmicrosoft.com').acquireTokenByClientCredential({
      scopes: [`${fake.endpoints.graph}/.default`],
    });
    expect(decodeJwt(result!.accessToken)!.payload.tid).toBe(DEMO_TENANT_ID);
    // msal puts the authority's domain back into the GUID endpoints of the discovery document.
    expect(fake.requests({ service: 'identity', method: 'POST' }).map((r) => r.path)).toEqual([
      '/contoso.onmicrosoft.com/oauth2/v2.0/token',
    ]);
    const discovery = await http.get(`${fake.url}/contoso.com/v2.0/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.headers['cache-control']).toBe('max-age=86400, private');
    expect(discovery.data).toMatchObject({
      issuer: `${fake.url}/${DEMO_TENANT_ID}/v2.0`,
      token_endpoint: `${fake.url}/${DEMO_TENANT_ID}/oauth2/v2.0/token`,
      authorization_endpoint: `${fake.url}/${DEMO_TENANT_ID}/oauth2/v2.0/authorize`,
      jwks_uri: `${fake.url}/${DEMO_TENANT_ID}/discovery/v2.0/keys`,
    });
    expect((await http.get(`${fake.url}/${DEMO_TENANT_ID}/discovery/v2.0/keys`)).data).toEqual({ keys: [] });
    fake.signInUser({ audience: 'api://riposte', upn: 'adele@contoso.com' });
    expect((await http.get(`${fake.url}/${DEMO_TENANT_ID}/discovery/v2.0/keys`)).data.keys).toEqual([
      expect.objectContaining({ kty: 'RSA', use: 'sig', kid: expect.any(String) }),
    ]);
  });

  it.each([
    ['a wrong secret', () => app({ clientSecret: 'nope' }), undefined, 'invalid_client', '7000215', 401],
    [
      'an unknown app',
      () => app({ clientId: '00000000-1111-2222-3333-444444444444' }),
      undefined,
      'unauthorized_client',
      '700016',
      400,
    ],
    ['an unknown resource', () => app(), 'https://unknown.example.com/.default', 'invalid_scope', '70011', 400],
    ['a scope without /.default', () => app(), 'User.Read.All', 'invalid_scope', '1002012', 400],
  ])(
    'refuses %s with the real AADSTS error, as an msal ServerError',
    async (_case, make, scope, errorCode, errorNo, status) => {
      const error = await failure(make(), scope);
      expect(error).toMatchObject({ name: 'ServerError', errorCode, errorNo, status });
      expect(error.errorMessage).toContain(`AADSTS${errorNo}:`);
    },
  );

  it('refuses an expired secret with 7000222', async () => {
    const clientId = 'c0ffee00-1111-4222-8333-444444444444';
    fake.addApp({ tenantId: DEMO_TENANT_ID, clientId, secrets: [{ value: 'old-secret', expired: true }] });
    expect(await failure(app({ clientId, clientSecret: 'old-secret' }))).toMatchObject({
      name: 'ServerError',
      errorCode: 'invalid_client',
      errorNo: '7000222',
      status: 401,
    });
  });

  it('answers an unknown tenant with 400 invalid_tenant 90002 on discovery and on the token endpoint', async () => {
    const tenant = '99999999-9999-4999-8999-999999999999';
    const discovery = await http.get(`${fake.url}/${tenant}/v2.0/.well-known/openid-configuration`);
    expect(discovery.status).toBe(400);
    expect(discovery.data).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
    // msal cannot resolve the authority at all...
    expect(await failure(app({}, tenant))).toMatchObject({ errorCode: 'endpoints_resolution_error' });
    // ...and when it is given the metadata, the token endpoint's own 90002 arrives as a ServerError.
    const base = `${fake.url}/${tenant}`;
    const authorityMetadata = JSON.stringify({
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      issuer: `${base}/v2.0`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
    });
    expect(await failure(app({ authorityMetadata }, tenant))).toMatchObject({
      name: 'ServerError',
      errorCode: 'invalid_tenant',
      errorNo: '90002',
      status: 400,
    });
  });

  it('writes AADSTS bodies exactly as Entra does (error_codes, trace lines, correlation id echoed)', async () => {
    const form = new URLSearchParams({
      client_id: DEMO_CLIENT_ID,
      client_secret: 'wrong',
      scope: `${fake.endpoints.graph}/.default`,
      grant_type: 'client_credentials',
      'client-request-id': 'b7a4c6f0-0000-4000-8000-000000000001',
    });
    const res = await http.post(`${fake.url}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, form.toString(), {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(401);
    expect(res.data).toMatchObject({
      error: 'invalid_client',
      error_codes: [7000215],
      correlation_id: 'b7a4c6f0-0000-4000-8000-000000000001',
      error_uri: 'https://login.microsoftonline.com/error?code=7000215',
    });
    expect(res.data.error_description).toMatch(
      /^AADSTS7000215: Invalid client secret provided\..*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: b7a4c6f0-0000-4000-8000-000000000001\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s,
    );
    expect(res.data.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(fake.requests({ service: 'identity' })[0]!.query).toEqual({});
  });

  it('accepts HTTP Basic client authentication and ignores unknown form fields', async () => {
    const basic = Buffer.from(
      `${encodeURIComponent(DEMO_CLIENT_ID)}:${encodeURIComponent(DEMO_CLIENT_SECRET)}`,
    ).toString('base64');
    const form = new URLSearchParams({
      scope: `${fake.endpoints.defender}/.default`,
      grant_type: 'client_credentials',
      'x-client-SKU': 'msal.js.node',
      whatever: '1',
    });
    const res = await http.post(`${fake.url}/contoso.com/oauth2/v2.0/token`, form.toString(), {
      headers: { authorization: `Basic ${basic}` },
    });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    expect(decodeJwt(res.data.access_token)!.payload.roles).toEqual(DEMO.roles.defender);
  });

  it('runs the device code flow for a public client (pending, then approved) with id_token and client_info', async () => {
    const pca = new PublicClientApplication({
      auth: {
        clientId: DEMO_CLIENT_ID,
        authority: `${fake.url}/${DEMO_TENANT_ID}`,
        knownAuthorities: [new URL(fake.url).host],
      },
    });
    const result = await pca.acquireTokenByDeviceCode({
      scopes: [`${fake.endpoints.graph}/User.Read.All`],
      deviceCodeCallback: (response) => {
        expect(response.message).toContain(response.userCode);
        setTimeout(() => fake.approveDeviceCode(response.userCode, DEMO.users.nestor.upn), 120);
      },
    });
    expect(result?.account?.username).toBe(DEMO.users.nestor.upn);
    expect(decodeJwt(result!.accessToken)!.payload).toMatchObject({
      scp: 'User.Read.All',
      upn: DEMO.users.nestor.upn,
      aud: fake.endpoints.graph,
    });
    const polls = fake.requests({ service: 'identity', path: '/oauth2/v2.0/token' });
    expect(polls.length).toBeGreaterThan(1);
    expect(polls[0]!.status).toBe(400);
    expect(polls.at(-1)!.status).toBe(200);
  });

  it('serves instance discovery for its own host and refuses other hosts with invalid_instance 50049', async () => {
    const ok = await http.get(`${fake.url}/common/discovery/instance`, {
      params: { 'api-version': '1.1', authorization_endpoint: `${fake.url}/common/oauth2/v2.0/authorize` },
    });
    expect(ok.data.metadata[0].aliases).toContain(new URL(fake.url).host);
    const refused = await http.get(`${fake.url}/common/discovery/instance`, {
      params: { authorization_endpoint: 'https://evil.example/common/oauth2/v2.0/authorize' },
    });
    expect(refused.status).toBe(400);
    expect(refused.data).toMatchObject({ error: 'invalid_instance', error_codes: [50049] });
  });

  it('serves App Service managed identity tokens at /msi/token behind X-IDENTITY-HEADER', async () => {
    const url = `${fake.msi.endpoint}?api-version=2019-08-01&resource=${encodeURIComponent(`${fake.endpoints.graph}/.default`)}`;
    expect((await http.get(url)).status).toBe(401);
    const res = await http.get(url, { headers: { 'X-IDENTITY-HEADER': fake.msi.identityHeader } });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      token_type: 'Bearer',
      resource: fake.endpoints.graph,
      client_id: DEMO.managedIdentityClientId,
    });
    expect(Number(res.data.expires_on)).toBeGreaterThan(Date.now() / 1000 + 3000);
    expect(decodeJwt(res.data.access_token)!.payload.roles).toEqual(DEMO.roles.graph);
    const unknown = await http.get(`${fake.msi.endpoint}?api-version=2019-08-01&resource=https://vault.azure.net`, {
      headers: { 'X-IDENTITY-HEADER': fake.msi.identityHeader },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.data.error).toBe('invalid_resource');
    expect(fake.tokenRequests()).toBe(3);
  });
});
