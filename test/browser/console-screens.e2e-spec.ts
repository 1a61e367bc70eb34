import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type ConsoleBrowser, launchConsoleBrowser, until, WAIT } from '../support/console-browser.js';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { ADMIN_KEY, demoTarget, startService, type TestService, waitForRun, waitForStep } from '../support/service.js';

/*
 * More of the console in a real browser: the approvals history, the audit chain's verification,
 * the runs list's time filter, and undoing one change of a run at a time. Screenshots land in
 * test-results/console/ beside the main suite's.
 */

/** Asks a person, then disables two users: two changes of one run, each of which can be undone alone. */
const TWO_CHANGES = readFileSync(new URL('../fixtures/two-changes.yaml', import.meta.url), 'utf8');

let fake: FakeCloud;
let service: TestService;
let ui: ConsoleBrowser;
let page: Page;
let analystKey = '';
let runId = '';

describe('more of the web console in a browser', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    fake = await startFakeCloud({ actionTransitionMs: 20 });
    fake.seedDemo();
    service = await startService();
    expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
    analystKey = (
      await service.request('POST', '/api/v1/api-keys', { body: { name: 'browser-analyst', role: 'analyst' } })
    ).body.key;
    const saved = await service.request('PUT', '/api/v1/playbooks/two-changes', {
      raw: TWO_CHANGES,
      headers: { 'Content-Type': 'application/yaml' },
    });
    expect(saved.status, saved.text).toBe(201);
    // Started by the admin, decided by the analyst (four eyes).
    const started = await service.request('POST', '/api/v1/playbooks/two-changes/runs', {
      body: {
        connectionTarget: 'contoso',
        inputs: { first: DEMO.users.adele.upn, second: DEMO.users.megan.upn },
        reason: 'phishing sent from both accounts',
      },
    });
    expect(started.status, started.text).toBe(202);
    runId = started.body.runId;
    await waitForStep(service, runId, 'ask');
    const decided = await service.request('POST', `/api/v1/runs/${runId}/approvals/ask`, {
      key: analystKey,
      body: { decision: 'approve', comment: 'Both accounts sent the phishing mail.' },
    });
    expect(decided.status, decided.text).toBe(200);
    expect((await waitForRun(service, runId)).status).toBe('succeeded');

    ui = await launchConsoleBrowser(service.url);
    page = ui.page;
  }, 240_000);
  afterAll(async () => {
    await ui?.close();
    await service?.close();
    await fake?.close();
  });

  it('shows who decided what, when and why in the approvals history', async () => {
    await ui.signIn(analystKey);
    await ui.open('Approvals');
    await page.getByRole('tab', { name: 'History' }).click();
    const row = page.getByTestId('decision-row').filter({ hasText: 'two-changes v1' });
    await row.waitFor({ timeout: WAIT });
    expect(await row.textContent()).toMatch(
      /approved.*browser-analyst \(analyst\).*ask.*Both accounts sent the phishing mail\./,
    );
    await ui.check('approvals-history');
  });

  it('undoes one change of a run, then the other from a selection', async () => {
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(false);
    expect(fake.getUser(DEMO.users.megan.upn)?.accountEnabled).toBe(false);
    await ui.open('Action center');
    const megan = page
      .getByTestId('change-row')
      .filter({ hasText: 'azure_ad.disable_user' })
      .filter({ hasText: DEMO.users.megan.upn });
    const adele = page
      .getByTestId('change-row')
      .filter({ hasText: 'azure_ad.disable_user' })
      .filter({ hasText: DEMO.users.adele.upn });
    await megan.waitFor({ timeout: WAIT });
    await ui.check('action-center-two-changes');
    await megan.getByRole('button', { name: /^Undo/ }).click();
    await until('megan enabled again', () => fake.getUser(DEMO.users.megan.upn)?.accountEnabled === true);
    await megan.getByText('undone').waitFor({ timeout: WAIT });
    // The other change of the same run was left alone, and can still be undone.
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(false);
    await adele.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Undo selected (1)' }).click();
    await until('adele enabled again', () => fake.getUser(DEMO.users.adele.upn)?.accountEnabled === true);
    await adele.getByText('undone').waitFor({ timeout: WAIT });
    const reverts = (await service.request('GET', '/api/v1/runs?limit=500')).body.items.filter(
      (r: { trigger: { revertOf?: string } }) => r.trigger.revertOf === runId,
    );
    expect(reverts).toHaveLength(2);
  });

  it('filters runs by when they were created', async () => {
    await ui.signIn(analystKey);
    await ui.open('Runs');
    await page.getByRole('link', { name: runId.slice(0, 8) }).waitFor({ timeout: WAIT });
    await page.getByRole('combobox', { name: 'Created' }).click();
    await page.getByRole('option', { name: 'Last hour' }).click();
    await until('the window in the address', () => page.url().includes('within=1h'));
    await page.getByRole('link', { name: runId.slice(0, 8) }).waitFor({ timeout: WAIT });
    await ui.check('runs-last-hour');
    // A window that ends an hour ago holds none of them.
    await page.goto(`${service.url}/runs?to=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`);
    await page.getByText('No run matches.').waitFor({ timeout: WAIT });
    expect(await page.getByTestId('run-row').count()).toBe(0);
    const to = page.getByRole('textbox', { name: 'To', exact: true });
    expect(await to.inputValue()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
    await ui.check('runs-between');
  });

  it('verifies the audit chain and says so in words', async () => {
    await ui.signIn(ADMIN_KEY);
    await ui.open('Audit');
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    const verdict = page.getByTestId('audit-verdict');
    await verdict.getByText('The audit chain is intact').waitFor({ timeout: WAIT });
    expect(await verdict.textContent()).toMatch(/All \d+ records match their hashes/);
    await ui.check('audit-verified');
  });

  it('shows the changes against the saved version, and rehearses the playbook being edited', async () => {
    await ui.signIn(ADMIN_KEY);
    await page.goto(`${service.url}/playbooks/two-changes`);
    const editor = page.getByTestId('playbook-editor');
    await editor.locator('.monaco-editor').waitFor({ timeout: WAIT });
    await page.getByRole('tab', { name: 'Changes' }).click();
    const summary = page.getByTestId('diff-summary');
    await summary.getByText('No change against version 1.').waitFor({ timeout: WAIT });
    // A note typed at the top of the playbook shows as one added line.
    await editor.locator('.view-lines').click();
    await page.keyboard.press('ControlOrMeta+Home');
    await page.keyboard.type('# reviewed in the console');
    await page.keyboard.press('Enter');
    await summary.getByText('1 line added and 0 removed against version 1.').waitFor({ timeout: WAIT });
    await page.getByTestId('playbook-diff').locator('.monaco-diff-editor').waitFor();
    await ui.check('playbook-editor-changes');

    await page.getByRole('tab', { name: 'Rehearse' }).click();
    const cases = [
      'playbook: two-changes',
      'cases:',
      '  - name: disables both once approved',
      '    inputs: { first: a@contoso.com, second: b@contoso.com }',
      '    approvals: { ask: approve }',
      '    expect:',
      '      status: succeeded',
      '      path: [ask, disable_first, disable_second]',
      '  - name: expects a disable after a rejection',
      '    inputs: { first: a@contoso.com, second: b@contoso.com }',
      '    approvals: { ask: reject }',
      '    expect:',
      '      status: succeeded',
      '      path: [ask, disable_first]',
    ].join('\n');
    await page.getByLabel('Rehearsal cases (YAML)').fill(cases);
    const calls = fake.count({});
    await page.getByRole('button', { name: 'Rehearse', exact: true }).click();
    const results = page.getByTestId('rehearsal-results');
    await results.getByText('1 passed, 1 failed.').waitFor({ timeout: WAIT });
    expect(await results.textContent()).toContain('expected path ask → disable_first, got ask');
    expect(fake.count({})).toBe(calls);
    await ui.check('playbook-editor-rehearsal');
  });
});
