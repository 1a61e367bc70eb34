import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_TENANT_ID } from '@riposte/fake-cloud';
import { type ConsoleBrowser, launchConsoleBrowser, until, WAIT } from '../support/console-browser.js';
import { type FakeCloud, startFakeCloud, testPki } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService } from '../support/service.js';

/*
 * Entra ID sign-in in the console, in a real browser: msal-browser runs the authorization code
 * flow with PKCE against the fake cloud's HTTPS sign-in pages (chromium trusts its certificate by
 * key hash), the service verifies the tokens, and the role shown is the one the service names.
 */
const CONSOLE_ID = '5fa00000-0000-4000-8000-00000000c0de';
const SCOPE = 'api://riposte/access_as_user';
const TWO_CHANGES = readFileSync(new URL('../fixtures/two-changes.yaml', import.meta.url), 'utf8');
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

let fake: FakeCloud;
let service: TestService;
let ui: ConsoleBrowser;
let page: Page;
/** Token endpoint requests the browser made, by grant type. */
const grants: string[] = [];

/** What the tab keeps: nothing in localStorage, and whether any sessionStorage value is a token. */
const storage = () =>
  page.evaluate(() => ({
    local: localStorage.length,
    session: Object.keys(sessionStorage).map((k) => sessionStorage.getItem(k) ?? ''),
  }));

async function signInAs(upn: string) {
  fake.answerAuthorize({ user: upn });
  await page.goto(service.url);
  await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
}

/** A run of the two-changes playbook, waiting for a person to approve. */
async function waitingRun(): Promise<string> {
  const started = await service.request('POST', '/api/v1/playbooks/two-changes/runs', {
    body: {
      connectionTarget: 'contoso',
      inputs: { first: DEMO.users.alex.upn, second: DEMO.users.adele.upn },
      reason: 'entra sign-in',
    },
  });
  expect(started.status, started.text).toBe(202);
  const runId = started.body.runId as string;
  await until(
    'the run to wait for its approval',
    async () => (await service.request('GET', `/api/v1/runs/${runId}`)).body.status === 'waiting',
  );
  return runId;
}

async function expectNoTokenInUrl() {
  const url = new URL(page.url());
  expect(url.origin).toBe(service.url);
  expect(url.hash).toBe('');
  expect(url.search).not.toMatch(/code=|token/);
}

describe('Entra ID sign-in in the console', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    // Tokens live two minutes, under msal's five-minute renewal margin: every call renews silently.
    fake = await startFakeCloud({ actionTransitionMs: 20, tokenLifetimeSeconds: 120 });
    fake.seedDemo();
    service = await startService({
      RIPOSTE_OIDC_ISSUER: `${fake.url}/${DEMO_TENANT_ID}/v2.0`,
      RIPOSTE_OIDC_AUDIENCE: CONSOLE_ID,
      RIPOSTE_OIDC_CLIENT_ID: CONSOLE_ID,
      RIPOSTE_OIDC_SCOPE: SCOPE,
    });
    // One registration for the console (SPA platform) and the API it calls, as the README describes.
    fake.addApp({ clientId: CONSOLE_ID, spaRedirectUris: [`${service.url}/`], identifierUris: ['api://riposte'] });
    fake.assignAppRoles(CONSOLE_ID, DEMO.users.megan.upn, ['Riposte.Analyst']);
    fake.assignAppRoles(CONSOLE_ID, DEMO.users.adele.upn, ['Riposte.Viewer']);
    expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
    const saved = await service.request('PUT', '/api/v1/playbooks/two-changes', {
      raw: TWO_CHANGES,
      headers: { 'Content-Type': 'application/yaml' },
    });
    expect(saved.status, saved.text).toBe(201);
    ui = await launchConsoleBrowser(service.url, { origin: fake.url, certificatePem: testPki().serverCertPem });
    page = ui.page;
    page.on('request', (request) => {
      // msal adds its own parameters to the endpoint's query.
      if (request.method() === 'POST' && new URL(request.url()).pathname.endsWith('/oauth2/v2.0/token'))
        grants.push(new URLSearchParams(request.postData() ?? '').get('grant_type') ?? '');
    });
  }, 240_000);
  afterAll(async () => {
    await ui?.close();
    await service?.close();
    await fake?.close();
  });

  it('offers Microsoft sign-in beside the key field, under a CSP that adds the authority only', async () => {
    const response = await page.goto(service.url);
    const csp = (await response?.allHeaders())?.['content-security-policy'] ?? '';
    expect(csp).toContain(`connect-src 'self' ${fake.url};`);
    expect(csp).not.toContain('*');
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor();
    await page.getByLabel('API key').waitFor();
    await ui.check('sign-in-entra');
  });

  it('signs an analyst in with PKCE, renews silently, and the analyst approves', async () => {
    const runId = await waitingRun();
    await signInAs(DEMO.users.megan.upn);
    await expect.poll(() => page.getByTestId('whoami').textContent(), { timeout: WAIT }).toContain('analyst');
    await page.getByText('live', { exact: true }).waitFor({ timeout: WAIT });
    await expectNoTokenInUrl();
    const kept = await storage();
    expect(kept.local).toBe(0);
    expect(kept.session.some((v) => JWT.test(v))).toBe(true);
    expect(grants[0]).toBe('authorization_code');

    await ui.open('Approvals');
    const card = page.getByRole('region', { name: /Approval two-changes \/ ask/ }).first();
    await card.waitFor({ timeout: WAIT });
    await ui.check('approvals-entra-analyst');
    await card.getByLabel('Comment (required)').fill('Signed in with Entra ID.');
    await card.getByRole('button', { name: 'Approve' }).click();
    await page
      .getByRole('status')
      .getByText(/Approved ask/)
      .waitFor({ timeout: WAIT });
    const audit = await service.request('GET', `/api/v1/audit?runId=${runId}`);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({ actor: DEMO.users.megan.upn, actorRole: 'analyst' }),
    );
    // The tokens outlive msal's renewal margin: later calls went with refreshed ones.
    expect(grants).toContain('refresh_token');
  });

  it('signs out: the tokens are gone from the tab and the sign-in page is back', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor({ timeout: WAIT });
    await expectNoTokenInUrl();
    const kept = await storage();
    expect(kept.local).toBe(0);
    expect(kept.session.filter((v) => JWT.test(v))).toEqual([]);
  });

  it('shows a viewer no action buttons', async () => {
    await waitingRun();
    await signInAs(DEMO.users.adele.upn);
    await expect.poll(() => page.getByTestId('whoami').textContent(), { timeout: WAIT }).toContain('viewer');
    await ui.open('Approvals');
    // The waiting approval is shown, without the means to decide it.
    await page
      .getByRole('region', { name: /Approval two-changes \/ ask/ })
      .first()
      .waitFor({ timeout: WAIT });
    await ui.check('approvals-entra-viewer');
    expect(await page.getByRole('button', { name: /^(Approve|Reject)$/ }).count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Respond' }).count()).toBe(
      0,
    );
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor({ timeout: WAIT });
  });

  it('tells a person with no Riposte role so, and lets them sign out', async () => {
    await signInAs(DEMO.users.alex.upn);
    await page
      .getByRole('alert')
      .getByText(/your account has no Riposte role/)
      .waitFor({ timeout: WAIT });
    await expectNoTokenInUrl();
    expect((await storage()).local).toBe(0);
    await ui.check('sign-in-entra-no-role');
    await page.getByRole('button', { name: 'Sign out of Microsoft' }).click();
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).waitFor({ timeout: WAIT });
    expect((await storage()).session.filter((v) => JWT.test(v))).toEqual([]);
  });
});
