import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService, waitForRun } from '../support/service.js';

/* The shipped catalogue playbooks, run for real against the fake cloud, approvals given through the API. */
const PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));
let fake: FakeCloud;
let service: TestService;
/** Four eyes: the admin starts the runs, a second analyst decides them. */
let approverKey: string;

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 20 });
  fake.seedDemo();
  service = await startService({ RIPOSTE_PLAYBOOKS_DIR: PLAYBOOKS });
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
  approverKey = (
    await service.request('POST', '/api/v1/api-keys', { body: { name: 'second-analyst', role: 'analyst' } })
  ).body.key;
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

async function startRun(playbook: string, inputs: Record<string, unknown>): Promise<string> {
  const started = await service.request('POST', `/api/v1/playbooks/${playbook}/runs`, {
    body: { connectionTarget: 'contoso', inputs },
  });
  expect(started.status, started.text).toBe(202);
  return started.body.runId;
}

async function approve(runId: string, step: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const { body } = await service.request('GET', `/api/v1/runs/${runId}`);
    if (body.waitingFor?.some((w: { step: string }) => w.step === step)) {
      const decided = await service.request('POST', `/api/v1/runs/${runId}/approvals/${step}`, {
        body: { decision: 'approve', comment: 'e2e' },
        key: approverKey,
      });
      expect(decided.status, decided.text).toBe(200);
      return;
    }
    if (!['queued', 'running', 'waiting'].includes(body.status))
      throw new Error(`run ended ${body.status} before ${step}`);
  }
  throw new Error(`${step} never waited for approval`);
}

describe('shipped catalogue playbooks', () => {
  it('are shipped disabled where alerts would fire them', async () => {
    const { body } = await service.request('GET', '/api/v1/playbooks');
    const enabled = Object.fromEntries(body.items.map((p: { id: string; enabled: boolean }) => [p.id, p.enabled]));
    expect(enabled).toMatchObject({ 'malicious-file': false, 'risky-user': false, 'phishing-url': false });
  });

  it('malicious file: quarantined, blocked, scanned and commented after approval', async () => {
    const file = DEMO.files.invoiceDropper;
    expect(
      (
        await service.request('POST', '/api/v1/notification-channels', {
          body: { name: 'soc-teams', kind: 'teams', url: fake.hookUrl('soc') },
        })
      ).status,
    ).toBe(201);
    const runId = await startRun('malicious-file', {
      machine: DEMO.machines.adeleDesktop.dnsName,
      sha1: file.sha1,
      sha256: file.sha256,
      alertId: DEMO.alerts.powershell,
      channel: 'soc-teams',
    });
    await approve(runId, 'approve_containment');
    const run = await waitForRun(service, runId, 30_000);
    expect(run).toMatchObject({
      status: 'succeeded',
      output: { decision: 'approve', quarantined: true, scanned: true },
    });
    expect(fake.getMachine(DEMO.machines.adeleDesktop.id)?.quarantinedFiles).toContain(file.sha1);
    expect(fake.listIndicators(file.sha256)).toHaveLength(1);
    expect(
      fake.listMachineActions({ machineId: DEMO.machines.adeleDesktop.id, type: 'RunAntiVirusScan' }),
    ).toHaveLength(1);
    expect(fake.getAlert(DEMO.alerts.powershell)?.comments.at(-1)?.comment).toMatch(/^Riposte: containment approve /);
    const card = (fake.webhooks('soc').at(-1)?.body as any)?.attachments[0].content;
    expect(card.body[0].text).toBe(`Malicious file on ${DEMO.machines.adeleDesktop.dnsName}`);
    expect(card.body[1].text).toBe('Containment approve: quarantined true, hash blocked true, scanned true.');
  });

  it('phishing URL: hunts who clicked, blocks URL and domain after approval', async () => {
    const url = 'https://contoso-login.example/owa/auth';
    const runId = await startRun('phishing-url', {
      url,
      domain: 'contoso-login.example',
      alertId: DEMO.alerts.phishing,
    });
    await approve(runId, 'approve_block');
    const run = await waitForRun(service, runId, 30_000);
    expect(run).toMatchObject({ status: 'succeeded', output: { clickedBy: [DEMO.users.adele.upn], blocked: true } });
    expect(fake.listIndicators(url)).toHaveLength(1);
    expect(fake.listIndicators('contoso-login.example')).toHaveLength(1);
  });

  it('malicious OAuth app: the service principal is disabled only after approval', async () => {
    const sp = DEMO.servicePrincipals.pdfHelper;
    const runId = await startRun('malicious-oauth-app', {
      servicePrincipal: sp.appId,
      incidentId: DEMO.incidents.adeleCompromise,
    });
    await approve(runId, 'approve_disable');
    const run = await waitForRun(service, runId, 30_000);
    expect(run).toMatchObject({ status: 'succeeded', output: { servicePrincipalId: sp.id } });
    expect(fake.getServicePrincipal(sp.id)?.accountEnabled).toBe(false);
  });

  it('risky user: contained at once, disabled after approval', async () => {
    const runId = await startRun('risky-user', { user: DEMO.users.alex.upn, blockGroup: DEMO.groups.caBlock });
    await approve(runId, 'approve_disable');
    const run = await waitForRun(service, runId, 30_000);
    expect(run).toMatchObject({
      status: 'succeeded',
      output: { confirmedCompromised: true, blocked: true, disabled: true },
    });
    expect(fake.getRiskyUser(DEMO.users.alex.upn)?.riskState).toBe('confirmedCompromised');
    expect(fake.getGroup(DEMO.groups.caBlock)?.members).toContain(DEMO.users.alex.id);
    expect(fake.getUser(DEMO.users.alex.upn)?.accountEnabled).toBe(false);
  });
});
