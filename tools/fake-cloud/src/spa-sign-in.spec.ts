import { createHash, randomBytes } from 'node:crypto';
import axios from 'axios';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCloud } from '../../../test/support/fake-cloud.js';
import { DEMO, DEMO_TENANT_ID } from './demo-seed.js';
import type { FakeCloud } from './fake-cloud.js';

const http = axios.create({ validateStatus: () => true, maxRedirects: 0 });
const SPA_ID = '5fa00000-0000-4000-8000-00000000c0de';
const CONSOLE = 'http://127.0.0.1:3000';
const REDIRECT = `${CONSOLE}/`;
const SCOPE = 'api://riposte/access_as_user';

describe('identity: sign-in of a single-page app (authorization code with PKCE, CORS)', () => {
  let fake: FakeCloud;
  let base: string;
  beforeAll(async () => {
    fake = await startFakeCloud();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.seedDemo();
    fake.addApp({ clientId: SPA_ID, spaRedirectUris: [REDIRECT], identifierUris: ['api://riposte'] });
    fake.assignAppRoles(SPA_ID, DEMO.users.megan.upn, ['Riposte.Analyst']);
    base = `${fake.url}/${DEMO_TENANT_ID}`;
  });

  /** The authorize page answered by Megan, with the answer in the fragment as msal-browser asks. */
  async function code(extra: Record<string, string> = {}) {
    const verifier = randomBytes(32).toString('base64url');
    fake.answerAuthorize({ user: DEMO.users.megan.upn });
    const query = new URLSearchParams({
      client_id: SPA_ID,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: `${SCOPE} openid profile offline_access`,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      response_mode: 'fragment',
      state: 'the-state',
      nonce: 'the-nonce',
      ...extra,
    });
    const answer = await http.get(`${base}/oauth2/v2.0/authorize?${query}`);
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.location as string);
    expect(location.search).toBe('');
    const params = new URLSearchParams(location.hash.slice(1));
    expect(params.get('state')).toBe('the-state');
    return { code: params.get('code')!, verifier };
  }

  const redeem = (form: Record<string, string>, origin: string | null = CONSOLE) =>
    http.post(
      `${base}/oauth2/v2.0/token`,
      new URLSearchParams({
        client_id: SPA_ID,
        grant_type: 'authorization_code',
        redirect_uri: REDIRECT,
        scope: `${SCOPE} openid profile offline_access`,
        ...form,
      }).toString(),
      { headers: origin ? { Origin: origin } : {} },
    );

  it('serves discovery and keys to a browser (CORS), and answers preflights', async () => {
    const discovery = await http.get(`${base}/v2.0/.well-known/openid-configuration`, { headers: { Origin: CONSOLE } });
    expect(discovery.status).toBe(200);
    expect(discovery.headers['access-control-allow-origin']).toBe('*');
    expect(discovery.data).toMatchObject({
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      token_endpoint: `${base}/oauth2/v2.0/token`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    });
    const preflight = await http.options(`${base}/oauth2/v2.0/token`, {
      headers: { Origin: CONSOLE, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'x',
    });
  });

  it('redeems the code cross-origin with PKCE: an API token with the user roles, an ID token with the nonce', async () => {
    const { code: issued, verifier } = await code();
    const answer = await redeem({ code: issued, code_verifier: verifier });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.data).toMatchObject({ token_type: 'Bearer', refresh_token_expires_in: 86400 });
    const keys = createLocalJWKSet((await http.get(`${base}/discovery/v2.0/keys`)).data);
    const access = await jwtVerify(answer.data.access_token, keys, { issuer: `${base}/v2.0`, audience: SPA_ID });
    expect(access.payload).toMatchObject({
      azp: SPA_ID,
      scp: 'access_as_user',
      roles: ['Riposte.Analyst'],
      preferred_username: DEMO.users.megan.upn,
    });
    const id = await jwtVerify(answer.data.id_token, keys, { issuer: `${base}/v2.0`, audience: SPA_ID });
    expect(id.payload).toMatchObject({ nonce: 'the-nonce', oid: DEMO.users.megan.id });

    // Silent renewal: the refresh token yields a new access token (and no nonce).
    const renewed = await http.post(
      `${base}/oauth2/v2.0/token`,
      new URLSearchParams({
        client_id: SPA_ID,
        grant_type: 'refresh_token',
        refresh_token: answer.data.refresh_token,
        scope: `${SCOPE} openid offline_access`,
      }).toString(),
      { headers: { Origin: CONSOLE } },
    );
    expect(renewed.status).toBe(200);
    expect((await jwtVerify(renewed.data.id_token, keys)).payload.nonce).toBeUndefined();
    expect((await jwtVerify(renewed.data.access_token, keys)).payload.roles).toEqual(['Riposte.Analyst']);
  });

  it('leaves the roles claim out for a user with no app role', async () => {
    fake.assignAppRoles(SPA_ID, DEMO.users.megan.upn, []);
    const { code: issued, verifier } = await code();
    const answer = await redeem({ code: issued, code_verifier: verifier });
    expect(answer.status).toBe(200);
    const payload = JSON.parse(Buffer.from(answer.data.access_token.split('.')[1], 'base64url').toString());
    expect(payload).not.toHaveProperty('roles');
  });

  it('refuses what Entra refuses for an SPA: no Origin, a secret, a wrong verifier', async () => {
    let c = await code();
    expect((await redeem({ code: c.code, code_verifier: c.verifier }, null)).data.error_codes).toEqual([9002327]);
    c = await code();
    expect((await redeem({ code: c.code, code_verifier: c.verifier, client_secret: 'x' })).data.error_codes).toEqual([
      700025,
    ]);
    c = await code();
    expect((await redeem({ code: c.code, code_verifier: 'not-it' })).data.error_codes).toEqual([501481]);
  });

  it('puts the answer in the query unless the fragment is asked for', async () => {
    fake.answerAuthorize({ user: DEMO.users.megan.upn });
    const query = new URLSearchParams({
      client_id: SPA_ID,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: SCOPE,
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    });
    const answer = await http.get(`${base}/oauth2/v2.0/authorize?${query}`);
    expect(new URL(answer.headers.location as string).searchParams.get('code')).toBeTruthy();
  });

  it('signs out back to a registered address only', async () => {
    const back = await http.get(`${base}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent(REDIRECT)}`);
    expect(back).toMatchObject({ status: 302, headers: { location: REDIRECT } });
    const elsewhere = await http.get(`${base}/oauth2/v2.0/logout?post_logout_redirect_uri=https://evil.example/`);
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.data).toContain('You signed out');
  });
});
