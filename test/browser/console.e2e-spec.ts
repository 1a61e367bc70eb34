import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type ConsoleBrowser, launchConsoleBrowser, until, WAIT } from '../support/console-browser.js';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { ADMIN_KEY, demoTarget, enableAutomation, startService, type TestService } from '../support/service.js';

/*
 * The console in a real browser (Debian's chromium through playwright-core) against the built
 * console, the real service and the fake Microsoft cloud. Screenshots of every screen land in
 * test-results/console/ (git-ignored) for a reviewer to look at.
 */
const PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));

let fake: FakeCloud;
let service: TestService;
let ui: ConsoleBrowser;
let page: Page;
const keys: Record<'analyst' | 'viewer' | 'ingest' | 'author', string> = {
  analyst: '',
  viewer: '',
  ingest: '',
  author: '',
};

function alert(id: string) {
  return {
    id,
    providerAlertId: id,
    tenantId: DEMO.tenantId,
    title: 'Suspicious sign-in followed by mailbox rule creation',
    severity: 'high',
    status: 'new',
    serviceSource: 'microsoftDefenderForEndpoint',
    createdDateTime: '2026-12-04T08:00:00Z',
    lastUpdateDateTime: '2026-12-04T08:00:00Z',
    evidence: [
      {
        '@odata.type': '#microsoft.graph.security.userEvidence',
        roles: ['compromised'],
        verdict: 'suspicious',
        userAccount: {
          accountName: 'adelev',
          userPrincipalName: DEMO.users.adele.upn,
          azureAdUserId: DEMO.users.adele.id,
          domainName: 'contoso.com',
          displayName: 'Adele Vance',
        },
      },
      {
        '@odata.type': '#microsoft.graph.security.deviceEvidence',
        roles: [],
        verdict: 'suspicious',
        mdeDeviceId: DEMO.machines.webServer.id,
        deviceDnsName: DEMO.machines.webServer.dnsName,
      },
    ],
  };
}

// Generous per-test limits: on a busy shared machine one screen's axe pass can take seconds.
describe('the web console in a browser', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    fake = await startFakeCloud({ actionTransitionMs: 20 });
    fake.seedDemo();
    service = await startService({ RIPOSTE_PLAYBOOKS_DIR: PLAYBOOKS });
    expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
    // Alert-fired automation is opt-in per playbook.
    await enableAutomation(service, 'compromised-account');
    for (const role of Object.keys(keys) as (keyof typeof keys)[])
      keys[role] = (
        await service.request('POST', '/api/v1/api-keys', { body: { name: `browser-${role}`, role } })
      ).body.key;
    ui = await launchConsoleBrowser(service.url);
    page = ui.page;
  }, 240_000);
  afterAll(async () => {
    await ui?.close();
    await service?.close();
    await fake?.close();
  });

  let runId = '';

  it('signs in with a key kept in this tab only', async () => {
    await page.goto(service.url);
    await ui.check('sign-in');
    await ui.signIn(keys.analyst);
    await expect.poll(() => page.getByTestId('whoami').textContent()).toContain('analyst');
    expect(
      await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.getItem('riposte.key') })),
    ).toEqual({ local: 0, session: keys.analyst });
    expect(page.url()).not.toContain(keys.analyst);
    await page.getByText('live', { exact: true }).waitFor();
    await ui.check('overview');
  });

  it('shows a demo alert’s run without a reload, and it is approved from the inbox with the keyboard', async () => {
    await ui.open('Runs');
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    const before = await page.getByTestId('run-row').count();
    // Known to the fake cloud, so the playbook's last step can resolve it in Graph.
    const known = fake.addAlert(alert('da-browser-0001'));
    const ingested = await service.request('POST', '/api/v1/alerts', { key: keys.ingest, body: known });
    expect(ingested.status).toBe(202);
    runId = ingested.body.alerts[0].runs[0];
    expect(runId).toBeTruthy();
    // The row arrives through the live stream; the page is never reloaded.
    await page.getByRole('link', { name: runId.slice(0, 8) }).waitFor({ timeout: WAIT });
    expect(await page.getByTestId('run-row').count()).toBe(before + 1);
    await until(
      'the run to wait for its approval',
      async () => (await service.request('GET', `/api/v1/runs/${runId}`)).body.status === 'waiting',
    );
    // The playbook asks twice: before disabling anyone (decided here through the API) and before
    // isolating (decided below, from the inbox).
    const first = await service.request('POST', `/api/v1/runs/${runId}/approvals/approve_containment`, {
      key: keys.analyst,
      body: { decision: 'approve', comment: 'Contain the account.' },
    });
    expect(first.status, first.text).toBe(200);
    await until('the run to wait for the isolation approval', async () =>
      ((await service.request('GET', `/api/v1/runs/${runId}`)).body.waitingFor ?? []).some(
        (w: { step: string }) => w.step === 'approve_isolation',
      ),
    );
    await page
      .getByRole('row', { name: new RegExp(runId.slice(0, 8)) })
      .getByText('waiting')
      .waitFor({ timeout: WAIT });
    await ui.check('runs');

    await ui.open('Approvals');
    const card = page.getByRole('region', { name: /Approval compromised-account \/ approve_isolation/ });
    await card.waitFor();
    await ui.check('approvals');
    await card.getByLabel('Comment (required)').focus();
    await page.keyboard.type('Confirmed with the user: isolate the server.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .getByText(/Approved approve_isolation/)
      .waitFor({ timeout: WAIT });
    await card.waitFor({ state: 'detached', timeout: WAIT });

    await page.goto(`${service.url}/runs/${runId}`);
    // The run's own badge (its steps have badges too): it turns when the last step ends, live.
    await page.getByTestId('run-summary').getByLabel('status succeeded').waitFor({ timeout: WAIT });
    expect((await service.request('GET', `/api/v1/runs/${runId}`)).body.status).toBe('succeeded');
    expect(fake.getMachine(DEMO.machines.webServer.id)?.isolationState).toBe('Full');
    await ui.check('run-detail');
    await page.getByRole('tab', { name: 'Graph' }).click();
    await page.getByTestId('playbook-graph').locator('svg').waitFor({ timeout: WAIT });
    await ui.check('run-graph');
  });

  it('undoes a disable from the action center, and the user is enabled again in the fake cloud', async () => {
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(false);
    await ui.open('Action center');
    const row = page
      .getByTestId('change-row')
      .filter({ hasText: 'azure_ad.disable_user' })
      .filter({ hasText: DEMO.users.adele.upn });
    await row.first().waitFor();
    await ui.check('action-center');
    await row.first().getByRole('button', { name: 'Undo' }).click();
    await until('adele enabled again', () => fake.getUser(DEMO.users.adele.upn)?.accountEnabled === true);
    await page.getByTestId('change-row').filter({ hasText: 'azure_ad.enable_user' }).first().waitFor({ timeout: WAIT });
  });

  it('shows a playbook mistake as a marker on its line, then saves the fix and draws it', async () => {
    await ui.signIn(keys.author);
    await ui.open('Playbooks');
    await page.getByRole('heading', { name: 'Playbooks' }).waitFor();
    await ui.check('playbooks');
    await page.getByRole('link', { name: 'New playbook' }).click();
    const editor = page.getByTestId('playbook-editor');
    await editor.locator('.monaco-editor').waitFor({ timeout: WAIT });
    // Pasted, as a person brings a playbook in (typing would be re-indented by the editor).
    const write = async (text: string) => {
      await page.evaluate((t) => (globalThis as any).navigator.clipboard.writeText(t), text);
      await editor.locator('.view-lines').click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('ControlOrMeta+V');
    };
    const broken = [
      'id: browser-made',
      'name: Made in the browser',
      'inputs:',
      '  user: { type: string }',
      'steps:',
      '  - id: disable',
      '    action: azure_ad.disable_usr',
      '    with:',
      '      user: ${{ inputs.user }}',
      '',
    ].join('\n');
    await write(broken);
    await page.getByLabel('Playbook id').fill('browser-made');
    await page.getByRole('button', { name: 'Save as new version' }).click();
    const problems = page.getByTestId('playbook-problems');
    await problems.waitFor({ timeout: WAIT });
    expect(await problems.textContent()).toMatch(/line 7, column \d+: \/steps\/0\/action/);
    // Monaco draws the server's marker as a squiggle on line 7.
    await editor.locator('.squiggly-error').first().waitFor({ timeout: WAIT });
    await ui.check('playbook-editor-error');

    await write(broken.replace('disable_usr', 'disable_user'));
    await page.getByRole('button', { name: 'Save as new version' }).click();
    await page.getByText('Saved as version 1.').waitFor({ timeout: WAIT });
    await page.getByTestId('playbook-graph').locator('svg').waitFor({ timeout: WAIT });
    expect(await page.getByTestId('playbook-graph').textContent()).toContain('disable');
    expect((await service.request('GET', '/api/v1/playbooks/browser-made')).body.version).toBe(1);
    await ui.check('playbook-editor-saved');
  });

  it('registers a connection target with the guided steps and names the missing role', async () => {
    const clientId = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    fake.addApp({
      clientId,
      tenantId: DEMO.tenantId,
      secrets: ['browser-secret-value'],
      roles: { graph: ['User.ReadWrite.All'], defender: ['Machine.Read.All'] },
    });
    await ui.signIn(ADMIN_KEY);
    await ui.open('Connection targets');
    await page.getByRole('button', { name: 'Add connection target' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Directory (tenant) ID').fill(DEMO.tenantId);
    await dialog.getByLabel('Application (client) ID').fill(clientId);
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByText('Machine.Isolate', { exact: false }).first().waitFor();
    await ui.check('connection-target-permissions');
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByLabel('Client secret value').fill('browser-secret-value');
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByLabel('Name').fill('browser-partial');
    await dialog.getByLabel('Cloud').selectOption('custom');
    for (const [label, url] of [
      ['Authority URL', fake.endpoints.authority],
      ['Graph URL', fake.endpoints.graph],
      ['Defender URL', fake.endpoints.defender],
      ['Management URL', fake.endpoints.management],
    ] as const)
      await dialog.getByLabel(label).fill(url);
    await dialog.getByRole('button', { name: 'Save and test' }).click();
    const card = page.getByRole('region', { name: 'Connection target browser-partial' });
    // Among the roles the catalogue needs on Defender (the list grew with the catalogue).
    await card.getByText(/Missing: .*\bMachine\.Isolate\b/).waitFor({ timeout: WAIT });
    await ui.check('connection-targets');
  });

  it('shows a viewer no action buttons, and the same request forged by hand is refused', async () => {
    await ui.signIn(keys.viewer);
    await page.goto(`${service.url}/runs/${runId}`);
    // The run's own badge (its steps have badges too): it turns when the last step ends, live.
    await page.getByTestId('run-summary').getByLabel('status succeeded').waitFor({ timeout: WAIT });
    expect(await page.getByRole('button', { name: /Revert|Cancel run/ }).count()).toBe(0);
    await ui.open('Action center');
    await page.getByTestId('change-row').first().waitFor();
    expect(await page.getByRole('button', { name: /Undo/ }).count()).toBe(0);
    expect(await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Respond' }).count()).toBe(
      0,
    );
    const forged = await page.evaluate(async (id) => {
      const response = await fetch(`/api/v1/runs/${id}/revert`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${sessionStorage.getItem('riposte.key')}`,
          'Idempotency-Key': crypto.randomUUID(),
        },
      });
      return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
    }, runId);
    expect(forged).toMatchObject({
      status: 403,
      type: expect.stringMatching(/problem\+json/),
      body: { code: 'forbidden' },
    });
  });

  it('every screen passes the accessibility check, in both themes', async () => {
    await ui.signIn(ADMIN_KEY);
    const screens = ['Respond', 'Alerts', 'Connectors', 'Guardrails', 'Audit', 'API keys'];
    for (const screen of screens) {
      await ui.open(screen);
      await page.getByRole('heading', { name: screen }).waitFor();
      await ui.check(screen.toLowerCase().replace(/ /g, '-'));
    }
    await ui.open('Alerts');
    await page
      .getByRole('link', { name: alert('x').title })
      .first()
      .click();
    await page.getByRole('tab', { name: 'Entities' }).waitFor();
    await ui.check('alert-detail');
    await page.getByRole('button', { name: /Switch to (dark|light) theme/ }).click();
    await ui.open('Overview');
    await ui.check('overview-other-theme');
  });
});
