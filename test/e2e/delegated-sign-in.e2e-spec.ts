import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_ROLES } from '@riposte/fake-cloud';
import { storedText } from '../support/database.js';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { startService, type TestService, waitForRun } from '../support/service.js';

/*
 * Delegated connection targets: a person signs in (authorization code with PKCE, or a device
 * code), msal keeps their refresh token in the target's encrypted cache, and actions run as them
 * until Entra ID stops honouring the refresh token, at which point runs fail clearly.
 */
const REDIRECT_URI = 'https://riposte.example.org/api/v1/sign-in/redirect';
const PUBLIC_CLIENT_ID: string = '6b0bd6b5-6f6a-4cf5-9d4e-0f3f3e7b2a11';

let fake: FakeCloud;
let service: TestService;

beforeAll(async () => {
  // Short-lived access tokens: every call goes back to the refresh token, so a revocation shows at once.
  fake = await startFakeCloud({ deviceCodeIntervalSeconds: 0.05, tokenLifetimeSeconds: 120 });
  fake.seedDemo();
  fake.getApp(DEMO.clientId)?.redirectUris.push(REDIRECT_URI);
  fake.addApp({ clientId: PUBLIC_CLIENT_ID, displayName: 'Riposte (device code)', roles: DEMO_ROLES });
  service = await startService({ RIPOSTE_SIGN_IN_REDIRECT_URI: REDIRECT_URI });
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

const target = (name: string, auth: Record<string, unknown>, clientId: string = DEMO.clientId) => ({
  name,
  tenantId: DEMO.tenantId,
  clientId,
  cloud: 'custom',
  endpoints: fake.endpoints,
  auth,
});

async function getUser(connectionTarget: string) {
  const started = await service.request('POST', '/api/v1/responses', {
    body: { action: 'azure_ad.get_user', connectionTarget, input: { user: DEMO.users.adele.upn }, reason: 'e2e' },
  });
  expect(started.status).toBe(202);
  return waitForRun(service, started.body.runId);
}

/** What the person's browser does: open the sign-in URL, follow Entra's redirect back to Riposte. */
async function browse(url: string) {
  const page = await fetch(url, { redirect: 'manual' });
  expect(page.status).toBe(302);
  const back = new URL(page.headers.get('location') as string);
  expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
  return service.request('GET', `/api/v1/sign-in/redirect${back.search}`, { key: null });
}

describe('authorization code sign-in', () => {
  it('signs a person in with PKCE, acts as them, keeps the tokens encrypted and fails clearly once the sign-in is revoked', async () => {
    const created = await service.request('POST', '/api/v1/connection-targets', {
      body: target('as-megan', { type: 'authorizationCode', clientSecret: DEMO.clientSecret }),
    });
    expect(created.status).toBe(201);
    expect(created.body.auth).toMatchObject({ type: 'authorizationCode', hasSecret: true });
    expect(created.body.signIn).toMatchObject({
      status: 'sign_in_required',
      account: null,
      reason: 'nobody has signed in yet',
    });

    // Nobody signed in: the run fails at once, saying what to do, without asking Entra ID.
    const tokenCalls = fake.count({ service: 'identity', path: '/token' });
    const before = await getUser('as-megan');
    expect(before.status).toBe('failed');
    expect(JSON.stringify(before)).toContain('sign_in_required');
    expect(JSON.stringify(before)).toMatch(/nobody has signed in yet.*authorize/);
    expect(fake.count({ service: 'identity', path: '/token' })).toBe(tokenCalls);

    const authorize = await service.request('POST', '/api/v1/connection-targets/as-megan/authorize');
    expect(authorize.status).toBe(200);
    expect(authorize.body.redirectUri).toBe(REDIRECT_URI);
    const url = new URL(authorize.body.url);
    expect(url.pathname).toBe(`/${DEMO.tenantId}/oauth2/v2.0/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(url.searchParams.get('state')?.length).toBeGreaterThanOrEqual(40);

    fake.answerAuthorize({ user: DEMO.users.megan.upn });
    const back = await browse(authorize.body.url);
    expect(back.status).toBe(200);
    expect(back.body.connectionTarget.signIn).toMatchObject({
      status: 'signed_in',
      account: { username: DEMO.users.megan.upn },
      signedInBy: expect.stringMatching(/^admin/),
      reason: null,
    });
    expect(back.body.connectionTarget.signIn.scopes.length).toBeGreaterThan(0);
    // The state is good once.
    const again = await fetch(authorize.body.url, { redirect: 'manual' });
    const replay = await service.request(
      'GET',
      `/api/v1/sign-in/redirect${new URL(again.headers.get('location') as string).search}`,
      { key: null },
    );
    expect(replay.status).toBe(400);
    expect(replay.body.code).toBe('sign_in_state_invalid');

    const run = await getUser('as-megan');
    expect(run.status).toBe('succeeded');
    const graphCall = fake.requests({ service: 'graph' }).at(-1);
    expect(graphCall?.path).toContain(encodeURIComponent(DEMO.users.adele.upn).replace(/%40/g, '@'));

    // The refresh token is stored sealed: msal's plaintext cache (with its "RefreshToken" section) is nowhere in the database.
    // (Files on SQLite, every table on PostgreSQL; JSON text may be escaped there.)
    for (const { what, text } of await storedText(service.dataDir)) {
      expect(text.includes('RefreshToken'), what).toBe(false);
      expect(/\\?"secret\\?"/.test(text), what).toBe(false);
    }

    // An admin revokes Megan's sessions in Entra ID: the next run fails with the reason, and is not retried.
    expect(fake.revokeSignIns(DEMO.users.megan.upn)).toBeGreaterThan(0);
    const revoked = await getUser('as-megan');
    expect(revoked.status).toBe('failed');
    expect(JSON.stringify(revoked)).toMatch(/sign_in_required.*revoked/);
    const shown = await service.request('GET', '/api/v1/connection-targets/as-megan');
    expect(shown.body.signIn).toMatchObject({
      status: 'sign_in_required',
      account: { username: DEMO.users.megan.upn },
    });
    expect(shown.body.signIn.reason).toMatch(/revoked.*\(AADSTS50173\)/);
    const afterRevocation = fake.count({ service: 'identity', path: '/token' });
    expect((await getUser('as-megan')).status).toBe('failed');
    expect(fake.count({ service: 'identity', path: '/token' })).toBe(afterRevocation);

    // Signing in again mends it.
    const second = await service.request('POST', '/api/v1/connection-targets/as-megan/authorize');
    expect((await browse(second.body.url)).body.connectionTarget.signIn.status).toBe('signed_in');
    expect((await getUser('as-megan')).status).toBe('succeeded');
  });

  it('says so when the person declines, and refuses the flow on a target of the other kind', async () => {
    await service.request('POST', '/api/v1/connection-targets', {
      body: target('declined', { type: 'authorizationCode', clientSecret: DEMO.clientSecret }),
    });
    const authorize = await service.request('POST', '/api/v1/connection-targets/declined/authorize');
    fake.answerAuthorize('decline');
    const back = await browse(authorize.body.url);
    expect(back.status).toBe(400);
    expect(back.body).toMatchObject({ code: 'sign_in_declined' });
    expect(back.body.detail).toContain('AADSTS65004');
    const wrong = await service.request('POST', '/api/v1/connection-targets/declined/device-code');
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('wrong_sign_in_flow');
    const noState = await service.request('GET', '/api/v1/sign-in/redirect?code=abc', { key: null });
    expect(noState.status).toBe(400);
    fake.answerAuthorize(undefined);
  });
});

describe('device code sign-in', () => {
  it('starts, reports pending, honours slow_down, signs in and survives a restart; withdrawn consent needs a new sign-in', async () => {
    const created = await service.request('POST', '/api/v1/connection-targets', {
      body: target('as-nestor', { type: 'deviceCode' }, PUBLIC_CLIENT_ID),
    });
    expect(created.status).toBe(201);
    expect(created.body.auth).toMatchObject({ type: 'deviceCode', hasSecret: false });

    const started = await service.request('POST', '/api/v1/connection-targets/as-nestor/device-code');
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({
      userCode: expect.stringMatching(/^[A-Z0-9]{9}$/),
      verificationUri: `${fake.url}/devicelogin`,
    });
    expect(Date.parse(started.body.expiresAt)).toBeGreaterThan(Date.now());

    const pending = await service.request(
      'POST',
      '/api/v1/connection-targets/as-nestor/device-code/complete?waitSeconds=0',
    );
    expect(pending.status).toBe(202);
    expect(pending.body).toMatchObject({ status: 'pending', userCode: started.body.userCode });

    fake.slowDownDeviceCodes(1);
    fake.approveDeviceCode(started.body.userCode, DEMO.users.nestor.upn);
    const done = await service.request(
      'POST',
      '/api/v1/connection-targets/as-nestor/device-code/complete?waitSeconds=60',
    );
    expect(done.status).toBe(200);
    expect(done.body.connectionTarget.signIn).toMatchObject({
      status: 'signed_in',
      account: { username: DEMO.users.nestor.upn },
    });
    const slowDowns = fake.requests({ service: 'identity', path: '/token' }).filter((r) => r.status === 400).length;
    expect(slowDowns).toBeGreaterThanOrEqual(1);
    const asNestor = await getUser('as-nestor');
    expect(asNestor.status, JSON.stringify(asNestor)).toBe('succeeded');

    // A restart keeps the sign-in: the cache is in the database, not in memory.
    const dataDir = service.dataDir;
    await service.close({ keepData: true });
    service = await startService({ RIPOSTE_SIGN_IN_REDIRECT_URI: REDIRECT_URI }, dataDir);
    expect((await getUser('as-nestor')).status).toBe('succeeded');

    fake.withdrawConsent(PUBLIC_CLIENT_ID);
    const refused = await getUser('as-nestor');
    expect(refused.status).toBe('failed');
    expect(JSON.stringify(refused)).toMatch(/consent.*AADSTS65001/);
    const shown = await service.request('GET', '/api/v1/connection-targets');
    expect(shown.body.items.find((t: { name: string }) => t.name === 'as-nestor').signIn).toMatchObject({
      status: 'sign_in_required',
    });
  });

  it('ends a sign-in the person declined or let expire, and signs out on request', async () => {
    const started = await service.request('POST', '/api/v1/connection-targets/as-nestor/device-code');
    fake.declineDeviceCode(started.body.userCode);
    const declined = await service.request(
      'POST',
      '/api/v1/connection-targets/as-nestor/device-code/complete?waitSeconds=10',
    );
    expect(declined.status).toBe(409);
    expect(declined.body.code).toBe('sign_in_declined');
    const nothing = await service.request(
      'POST',
      '/api/v1/connection-targets/as-nestor/device-code/complete?waitSeconds=1',
    );
    expect(nothing.status).toBe(409);
    expect(nothing.body.code).toBe('sign_in_not_started');

    const out = await service.request('DELETE', '/api/v1/connection-targets/as-megan/sign-in');
    expect(out.status).toBe(200);
    expect(out.body.signIn).toMatchObject({
      status: 'sign_in_required',
      account: null,
      reason: 'signed out by an administrator',
    });
    expect((await getUser('as-megan')).status).toBe('failed');
    const appTarget = await service.request('DELETE', '/api/v1/connection-targets/declined/sign-in');
    expect(appTarget.status).toBe(200);
  });
});
