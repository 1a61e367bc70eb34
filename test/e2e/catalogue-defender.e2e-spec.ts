import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { respond, revert } from '../support/responses.js';
import { demoTarget, startService, type TestService, waitForRun } from '../support/service.js';

/* The Defender for Endpoint part of the response catalogue, end to end against the fake cloud. */
let fake: FakeCloud;
let service: TestService;

beforeAll(async () => {
  fake = await startFakeCloud({ actionTransitionMs: 20 });
  fake.seedDemo();
  service = await startService();
  expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
  expect(
    (
      await service.request('POST', '/api/v1/guardrails/protected', {
        body: { kind: 'machineTag', value: 'Tier0', reason: 'domain controllers and web front ends' },
      })
    ).status,
  ).toBe(201);
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});
beforeEach(() => {
  fake.faults.clear();
});

const adele = DEMO.machines.adeleDesktop;
const megan = DEMO.machines.meganLaptop;
const api = () => `${fake.endpoints.defender}/api`;

describe('the catalogue', () => {
  it('lists every Defender action with its roles and inverse', async () => {
    const { body } = await service.request('GET', '/api/v1/actions');
    const byId = new Map<string, any>(body.map((a: { id: string }) => [a.id, a]));
    const expected: [string, string | null, boolean, string][] = [
      ['defender.run_antivirus_scan', null, true, 'Machine.Scan'],
      ['defender.restrict_app_execution', 'defender.unrestrict_app_execution', true, 'Machine.RestrictExecution'],
      ['defender.unrestrict_app_execution', 'defender.restrict_app_execution', true, 'Machine.RestrictExecution'],
      ['defender.collect_investigation_package', null, true, 'Machine.CollectForensics'],
      ['defender.stop_and_quarantine_file', null, true, 'Machine.StopAndQuarantine'],
      ['defender.add_machine_tag', 'defender.remove_machine_tag', true, 'Machine.ReadWrite.All'],
      ['defender.remove_machine_tag', 'defender.add_machine_tag', true, 'Machine.ReadWrite.All'],
      ['defender.create_indicator', 'defender.delete_indicator', true, 'Ti.ReadWrite.All'],
      ['defender.delete_indicator', null, true, 'Ti.ReadWrite.All'],
      ['defender.list_machine_alerts', null, false, 'Alert.Read.All'],
      ['defender.list_logged_on_users', null, false, 'User.Read.All'],
      ['defender.get_file', null, false, 'File.Read.All'],
    ];
    for (const [id, inverse, destructive, role] of expected) {
      expect(byId.get(id), id).toMatchObject({ inverse, destructive });
      expect(
        byId.get(id).requiredRoles.map((r: { role: string }) => r.role),
        id,
      ).toContain(role);
    }
  });

  it('refuses a malformed hash, address or URL with the field named', async () => {
    for (const input of [
      { type: 'FileSha256', value: 'abc' },
      { type: 'IpAddress', value: '300.1.1.1' },
      { type: 'Url', value: 'javascript:alert(1)' },
      { type: 'Registry', value: 'x' },
    ]) {
      const bad = await service.request('POST', '/api/v1/responses', {
        body: { action: 'defender.create_indicator', connectionTarget: 'contoso', input },
      });
      expect(bad.status, JSON.stringify(input)).toBe(400);
      expect(bad.body.errors.length).toBeGreaterThan(0);
    }
    const sha = await service.request('POST', '/api/v1/responses', {
      body: {
        action: 'defender.stop_and_quarantine_file',
        connectionTarget: 'contoso',
        input: { machine: adele.dnsName, sha1: DEMO.files.invoiceDropper.sha256 },
      },
    });
    expect(sha.status).toBe(400);
    expect(sha.body.errors).toEqual([expect.objectContaining({ path: '/input/sha1' })]);
  });
});

describe('machine actions, followed to their end', () => {
  it('runs a full antivirus scan', async () => {
    const run = await respond(service, 'defender.run_antivirus_scan', { machine: adele.dnsName, scanType: 'Full' });
    expect(run.steps[0]).toMatchObject({
      status: 'succeeded',
      output: { machineId: adele.id, type: 'RunAntiVirusScan', status: 'Succeeded' },
    });
    const action = fake.listMachineActions({ machineId: adele.id, type: 'RunAntiVirusScan' })[0];
    expect(action).toMatchObject({ scope: 'Full', status: 'Succeeded' });
    expect(action?.requestorComment).toContain(`riposte:${run.id}/response`);
  });

  it('restricts app execution, and the revert lifts the restriction', async () => {
    const run = await respond(service, 'defender.restrict_app_execution', {
      machine: megan.dnsName,
      comment: 'alert 7',
    });
    expect(run.steps[0]).toMatchObject({ status: 'succeeded' });
    expect(fake.getMachine(megan.id)?.restrictionState).toBe('Restricted');
    const undone = await revert(service, run.id);
    expect(undone.steps[0]).toMatchObject({ action: 'defender.unrestrict_app_execution', status: 'succeeded' });
    expect(fake.getMachine(megan.id)?.restrictionState).toBe('NotRestricted');
  });

  it('collects an investigation package', async () => {
    const run = await respond(service, 'defender.collect_investigation_package', { machine: megan.id });
    expect(run.steps[0]).toMatchObject({ status: 'succeeded', output: { type: 'CollectInvestigationPackage' } });
  });

  it('stops and quarantines a file by SHA-1, planning the exact request first', async () => {
    const dry = await respond(
      service,
      'defender.stop_and_quarantine_file',
      { machine: adele.dnsName, sha1: DEMO.files.invoiceDropper.sha1.toUpperCase() },
      { dryRun: true },
    );
    expect(dry.steps[0].output.requests).toEqual([
      {
        method: 'POST',
        url: `${api()}/machines/${adele.id}/StopAndQuarantineFile`,
        body: {
          Comment: `File stopped and quarantined by Riposte [riposte:${dry.id}/response]`,
          Sha1: DEMO.files.invoiceDropper.sha1,
        },
        headers: { Authorization: 'Bearer [REDACTED]', 'Content-Type': 'application/json' },
      },
    ]);
    expect(fake.listMachineActions({ type: 'StopAndQuarantineFile' })).toHaveLength(0);

    const run = await respond(service, 'defender.stop_and_quarantine_file', {
      machine: adele.dnsName,
      sha1: DEMO.files.invoiceDropper.sha1,
    });
    expect(run.steps[0]).toMatchObject({ status: 'succeeded' });
    expect(fake.getMachine(adele.id)?.quarantinedFiles).toContain(DEMO.files.invoiceDropper.sha1);
  });

  it('reports a failed machine action with its code', async () => {
    fake.scriptMachineActions({ outcome: 'Failed', type: 'RunAntiVirusScan' });
    const run = await respond(service, 'defender.run_antivirus_scan', { machine: megan.id });
    expect(run.steps[0].error).toMatchObject({ code: 'machine_action_failed' });
  });

  it('joins a scan already pending instead of failing', async () => {
    const script = fake.scriptMachineActions({ outcome: 'StayPending', type: 'RunAntiVirusScan', machineId: megan.id });
    const start = () =>
      service.request('POST', '/api/v1/responses', {
        body: { action: 'defender.run_antivirus_scan', connectionTarget: 'contoso', input: { machine: megan.id } },
      });
    const afterSeq = fake.lastRequestSeq;
    const first = await start();
    await fake.waitForRequest({ service: 'defender', method: 'POST', path: '/runAntiVirusScan', afterSeq }, 10_000);
    script.remove();
    const second = await start();
    await fake.waitForRequest(
      { service: 'defender', method: 'POST', path: '/runAntiVirusScan', status: 400, afterSeq },
      10_000,
    );
    const pending = fake.listMachineActions({ machineId: megan.id, type: 'RunAntiVirusScan', status: 'Pending' })[0];
    expect(pending).toBeDefined();
    // The second run follows the first one's action; completing it ends both.
    fake.completeMachineAction(pending!.id, 'Succeeded');
    const joined = await waitForRun(service, second.body.runId);
    expect(joined.steps[0]).toMatchObject({
      status: 'succeeded',
      output: { joinedExistingAction: true, machineActionId: pending!.id },
    });
    expect((await waitForRun(service, first.body.runId)).status).toBe('succeeded');
  });

  it('refuses a machine carrying a protected tag, also in a dry run', async () => {
    for (const dryRun of [true, false]) {
      const run = await respond(
        service,
        'defender.restrict_app_execution',
        { machine: DEMO.machines.webServer.dnsName },
        { dryRun },
      );
      expect(run.steps[0].error).toMatchObject({
        code: 'protected_entity',
        message: expect.stringMatching(/protected Defender tag 'tier0'/),
      });
    }
    expect(fake.listMachineActions({ machineId: DEMO.machines.webServer.id })).toHaveLength(0);
  });
});

describe('machine tags', () => {
  it('adds a tag and the revert removes it', async () => {
    const run = await respond(service, 'defender.add_machine_tag', {
      machine: megan.dnsName,
      tag: 'Riposte-Contained',
    });
    expect(run.steps[0]).toMatchObject({
      status: 'succeeded',
      output: { machineId: megan.id, machineTags: expect.arrayContaining(['Riposte-Contained']) },
    });
    expect(fake.getMachine(megan.id)?.machineTags).toContain('Riposte-Contained');
    const undone = await revert(service, run.id);
    expect(undone.steps[0]).toMatchObject({ action: 'defender.remove_machine_tag', status: 'succeeded' });
    expect(fake.getMachine(megan.id)?.machineTags).not.toContain('Riposte-Contained');
  });

  it('is reconciled by reading the tags when the answer is lost', async () => {
    const afterSeq = fake.lastRequestSeq;
    fake.faults.inject({
      service: 'defender',
      method: 'POST',
      path: '/tags',
      preset: 'resetConnection',
      effect: 'before',
      times: 'unlimited',
    });
    const run = await respond(service, 'defender.add_machine_tag', { machine: adele.id, tag: 'Under-Investigation' });
    expect(run.steps[0]).toMatchObject({ status: 'succeeded' });
    expect(fake.getMachine(adele.id)?.machineTags).toContain('Under-Investigation');
    // Idempotent, so the HTTP layer may retry it; either way the tag is there once.
    expect(
      fake.requests({ service: 'defender', method: 'POST', path: '/tags', afterSeq }).length,
    ).toBeGreaterThanOrEqual(1);
    expect(fake.getMachine(adele.id)?.machineTags.filter((t) => t === 'Under-Investigation')).toHaveLength(1);
  });
});

describe('indicators', () => {
  it('blocks a file hash with an expiry; the revert deletes the indicator', async () => {
    const sha256 = DEMO.files.invoiceDropper.sha256;
    const run = await respond(service, 'defender.create_indicator', {
      type: 'FileSha256',
      value: sha256.toUpperCase(),
      expiresInDays: 7,
      description: 'alert da63',
    });
    expect(run.steps[0]).toMatchObject({
      status: 'succeeded',
      output: { type: 'FileSha256', value: sha256, action: 'BlockAndRemediate' },
    });
    const [indicator] = fake.listIndicators(sha256);
    expect(indicator).toMatchObject({
      indicatorType: 'FileSha256',
      action: 'BlockAndRemediate',
      severity: 'High',
      generateAlert: true,
    });
    expect(indicator!.description).toContain(`riposte:${run.id}/response`);
    const days = (Date.parse(indicator!.expirationTime!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);

    const undone = await revert(service, run.id);
    expect(undone.steps[0]).toMatchObject({
      action: 'defender.delete_indicator',
      status: 'succeeded',
      output: { deleted: true },
    });
    expect(fake.listIndicators(sha256)).toHaveLength(0);
  });

  it('blocks an IP address, a domain and a URL', async () => {
    for (const [type, value] of [
      ['IpAddress', '198.51.100.77'],
      ['DomainName', 'Contoso-Login.example'],
      ['Url', 'https://contoso-login.example/owa/auth'],
    ]) {
      const run = await respond(service, 'defender.create_indicator', { type, value });
      expect(run.steps[0], `${type} ${JSON.stringify(run.steps[0].error)}`).toMatchObject({
        status: 'succeeded',
        output: { type, action: 'Block' },
      });
    }
    expect(fake.listIndicators('contoso-login.example')[0]).toMatchObject({ indicatorType: 'DomainName' });
  });

  it('deleting an indicator already gone succeeds without a change', async () => {
    const run = await respond(service, 'defender.delete_indicator', { indicatorId: '999999' });
    expect(run.steps[0]).toMatchObject({ status: 'succeeded', output: { deleted: false } });
  });
});

describe('reads', () => {
  it("reads a machine's alerts and logged-on users, and a file's profile", async () => {
    const alerts = await respond(service, 'defender.list_machine_alerts', { machine: adele.dnsName });
    expect(alerts.steps[0].output).toMatchObject({
      machineId: adele.id,
      alerts: [
        expect.objectContaining({ title: 'Suspicious PowerShell command line' }),
        expect.objectContaining({ threatName: 'Trojan:Win32/Dropper' }),
      ],
    });
    const users = await respond(service, 'defender.list_logged_on_users', { machine: adele.dnsName });
    expect(users.steps[0].output.users.map((u: { accountName: string }) => u.accountName)).toEqual([
      'adele.vance',
      'svc-backup',
    ]);
    const file = await respond(service, 'defender.get_file', { hash: DEMO.files.invoiceDropper.sha1 });
    expect(file.steps[0].output).toMatchObject({
      sha256: DEMO.files.invoiceDropper.sha256,
      determinationType: 'Malware',
    });
    const unknown = await respond(service, 'defender.get_file', { hash: 'f'.repeat(64) });
    expect(unknown.steps[0].error).toMatchObject({ code: 'file_not_found' });
  });
});
