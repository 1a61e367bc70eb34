import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, enableAutomation, startService, type TestService, waitForRun } from '../support/service.js';

/*
 * Azure Storage lock-down through Azure Resource Manager against the fake cloud: exposure,
 * dry runs, the lock-downs and their exact restores, guardrails on resource ids and tags, an
 * ambiguous failure reconciled with the account, and the shipped playbook fired by a Defender
 * for Cloud alert, approved, then reverted.
 */
const PLAYBOOKS = fileURLToPath(new URL('../../playbooks/', import.meta.url));
const SUBSCRIPTION = randomUUID();
const RG = 'rg-data';
const scope = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}`;
const accountId = (name: string) => `${scope}/providers/Microsoft.Storage/storageAccounts/${name}`;

let fake: FakeCloud;
let service: TestService;

let approverKey: string;

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  const open = {
    subscriptionId: SUBSCRIPTION,
    resourceGroup: RG,
    allowBlobPublicAccess: true,
    networkDefaultAction: 'Allow' as const,
    ipRules: ['203.0.113.0/24'],
    containers: { invoices: 'Container' as const, images: 'Blob' as const, backups: 'None' as const },
  };
  fake.addStorageAccount({ ...open, name: 'contosodata' });
  fake.addStorageAccount({ ...open, name: 'contosoweb' });
  fake.addStorageAccount({ ...open, name: 'payroll', tags: { 'riposte-protected': 'true' } });
  fake.addStorageAccount({ ...open, name: 'leaky' });
  fake.assignAzureRole(DEMO.clientId, 'Storage Account Contributor', scope);
  service = await startService({ RIPOSTE_PLAYBOOKS_DIR: PLAYBOOKS });
  expect(
    (
      await service.request('POST', '/api/v1/connection-targets', {
        body: demoTarget(fake, 'storage', { subscriptionId: SUBSCRIPTION, resourceGroup: RG }),
      })
    ).status,
  ).toBe(201);
  // Alert-fired automation is opt-in; and whoever posts the alert may not approve its run (four eyes).
  await enableAutomation(service, 'lock-down-exposed-storage');
  approverKey = (
    await service.request('POST', '/api/v1/api-keys', { body: { name: 'second-analyst', role: 'analyst' } })
  ).body.key;
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

async function respond(action: string, input: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const started = await service.request('POST', '/api/v1/responses', {
    body: { action, connectionTarget: 'storage', input, reason: 'e2e', ...extra },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const run = await waitForRun(service, started.body.runId);
  // A response run's output is its one step's.
  return { ...run, output: run.output?.response };
}

describe('storage actions', () => {
  it('reads the exposure of an account named by name or resource id', async () => {
    const byName = await respond('storage.get_exposure', { account: 'contosodata' });
    expect(byName.status).toBe('succeeded');
    expect(byName.output).toEqual({
      account: accountId('contosodata'),
      allowBlobPublicAccess: true,
      allowSharedKeyAccess: true,
      publicNetworkAccess: 'Enabled',
      networkDefaultAction: 'Allow',
      publicContainers: [
        { name: 'invoices', publicAccess: 'Container' },
        { name: 'images', publicAccess: 'Blob' },
      ],
      tags: {},
      exposed: true,
    });
    const byId = await respond('storage.get_exposure', { account: accountId('contosodata') });
    expect(byId.output.account).toBe(accountId('contosodata'));
    const missing = await respond('storage.get_exposure', { account: 'nosuchaccount' });
    expect(missing.error.code).toBe('storage_account_not_found');
  });

  it('plans without changing anything in a dry run', async () => {
    const planned = await respond('storage.restrict_network', { account: 'contosodata' }, { dryRun: true });
    const patch = planned.output.requests.find((r: { method: string }) => r.method === 'PATCH');
    expect(patch).toMatchObject({
      url: `${fake.endpoints.management}${accountId('contosodata')}?api-version=2023-05-01`,
      body: {
        properties: { networkAcls: { defaultAction: 'Deny', ipRules: [{ value: '203.0.113.0/24', action: 'Allow' }] } },
      },
    });
    expect(fake.getStorageAccount(accountId('contosodata'))?.properties.networkAcls.defaultAction).toBe('Allow');
  });

  it('locks down and restores exactly the previous values', async () => {
    const blocked = await respond('storage.block_public_blob_access', { account: 'contosodata' });
    expect(blocked.output).toEqual({
      account: accountId('contosodata'),
      setting: 'allowBlobPublicAccess',
      previous: true,
      value: false,
      changed: true,
    });
    const restricted = await respond('storage.restrict_network', { account: 'contosodata' });
    expect(restricted.output).toMatchObject({ previous: 'Allow', value: 'Deny' });
    const keys = await respond('storage.disable_shared_key_access', { account: 'contosodata' });
    // Never set on the account: shared key access counts as allowed, and is restored as allowed.
    expect(keys.output).toMatchObject({ previous: true, value: false });
    const account = fake.getStorageAccount(accountId('contosodata'));
    expect(account?.properties).toMatchObject({
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: false,
      networkAcls: { defaultAction: 'Deny', ipRules: [{ value: '203.0.113.0/24', action: 'Allow' }] },
    });

    // Containers cannot be public any more once public blob access is blocked; make one private anyway, then restore it after unblocking.
    const invoices = await respond('storage.make_container_private', { account: 'contosodata', container: 'invoices' });
    expect(invoices.output).toMatchObject({ previous: 'Container', publicAccess: 'None', changed: true });
    const again = await respond('storage.make_container_private', { account: 'contosodata', container: 'invoices' });
    expect(again.output).toMatchObject({ previous: 'None', changed: false });

    await respond('storage.restore_public_blob_access', { account: 'contosodata', value: blocked.output.previous });
    await respond('storage.restore_network', { account: 'contosodata', value: restricted.output.previous });
    await respond('storage.restore_shared_key_access', { account: 'contosodata', value: keys.output.previous });
    const restored = await respond('storage.restore_container_access', {
      account: 'contosodata',
      container: 'invoices',
      publicAccess: invoices.output.previous,
    });
    expect(restored.status).toBe('succeeded');
    expect(account?.properties).toMatchObject({
      allowBlobPublicAccess: true,
      allowSharedKeyAccess: true,
      networkAcls: { defaultAction: 'Allow', ipRules: [{ value: '203.0.113.0/24', action: 'Allow' }] },
    });
    expect(account?.containers.get('invoices')?.publicAccess).toBe('Container');
  });

  it('refuses protected accounts: by tag, and by a protected resource group', async () => {
    const tag = await service.request('POST', '/api/v1/guardrails/protected', {
      body: { kind: 'azureTag', value: 'riposte-protected=true', reason: 'payroll data' },
    });
    expect(tag.status).toBe(201);
    const refused = await respond('storage.block_public_blob_access', { account: 'payroll' });
    expect(refused.error).toMatchObject({ code: 'protected_entity' });
    expect(refused.error.message).toContain("carries the protected tag 'riposte-protected=true'");
    expect(fake.getStorageAccount(accountId('payroll'))?.properties.allowBlobPublicAccess).toBe(true);

    const group = await service.request('POST', '/api/v1/guardrails/protected', {
      body: { kind: 'azureResource', value: scope, reason: 'production data' },
    });
    expect(group.status).toBe(201);
    const dry = await respond(
      'storage.make_container_private',
      { account: 'contosoweb', container: 'images' },
      { dryRun: true },
    );
    expect(dry.error.code).toBe('protected_entity');
    expect(dry.error.message).toContain(`under ${scope.toLowerCase()}`);
    await service.request('DELETE', `/api/v1/guardrails/protected/${group.body.id}`);
  });

  it('reconciles a PATCH whose answer was lost: applied once, the previous value kept', async () => {
    const fault = fake.faults.inject({
      service: 'management',
      method: 'PATCH',
      path: '/storageAccounts/leaky',
      preset: 'resetConnection',
      effect: 'before',
      times: 'unlimited',
    });
    const run = await respond('storage.block_public_blob_access', { account: 'leaky' });
    fault.remove();
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(run.output).toMatchObject({ previous: true, value: false });
    expect(fake.getStorageAccount(accountId('leaky'))?.properties.allowBlobPublicAccess).toBe(false);
    const audit = await service.request('GET', `/api/v1/audit?runId=${run.id}`);
    expect(JSON.stringify(audit.body)).toContain('"reconciled":true');
  });
});

describe('the lock-down-exposed-storage playbook', () => {
  it('fires on a Defender for Cloud alert, locks down after approval, and a revert restores the account', async () => {
    const alert = {
      id: `2518268485253060642_${randomUUID()}`,
      tenantId: DEMO.tenantId,
      title: 'Publicly accessible storage containers have been exposed',
      severity: 'medium',
      status: 'new',
      serviceSource: 'microsoftDefenderForCloud',
      detectionSource: 'cloudApplicationSecurity',
      createdDateTime: new Date().toISOString(),
      lastUpdateDateTime: new Date().toISOString(),
      evidence: [
        {
          '@odata.type': '#microsoft.graph.security.azureResourceEvidence',
          roles: [],
          verdict: 'suspicious',
          resourceId: `${accountId('contosoweb')}/blobServices/default/containers/images`,
          resourceName: 'contosoweb',
          resourceType: 'Microsoft.Storage/storageAccounts',
        },
      ],
    };
    fake.addAlert(alert);
    const posted = await service.request('POST', '/api/v1/alerts', { body: alert });
    expect(posted.status).toBe(202);
    const runId = posted.body.alerts[0].runs[0];
    expect(runId).toEqual(expect.any(String));
    let run = (await service.request('GET', `/api/v1/runs/${runId}`)).body;
    expect(run.playbook.id).toBe('lock-down-exposed-storage');
    expect(run.input.inputs).toMatchObject({ account: accountId('contosoweb') });
    for (let i = 0; i < 200 && run.status !== 'waiting'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = (await service.request('GET', `/api/v1/runs/${runId}`)).body;
    }
    expect(run.waitingFor[0]).toMatchObject({
      step: 'approve_lock_down',
      prompt: expect.stringMatching(/contosoweb is exposed.*2\s+public container/s),
    });
    // Nothing changes before an analyst decides.
    expect(fake.getStorageAccount(accountId('contosoweb'))?.properties.allowBlobPublicAccess).toBe(true);

    await service.request('POST', `/api/v1/runs/${runId}/approvals/approve_lock_down`, {
      body: { decision: 'approve' },
      key: approverKey,
    });
    const done = await waitForRun(service, runId);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect(done.output).toMatchObject({
      decision: 'approve',
      publicAccessBlocked: true,
      containersMadePrivate: 2,
      networkRestricted: true,
      sharedKeyDisabled: false,
    });
    const account = fake.getStorageAccount(accountId('contosoweb'));
    expect(account?.properties).toMatchObject({ allowBlobPublicAccess: false, networkAcls: { defaultAction: 'Deny' } });
    expect([...(account?.containers.values() ?? [])].map((c) => c.publicAccess)).toEqual(['None', 'None', 'None']);
    expect(fake.getAlert(alert.id)?.status).toBe('resolved');

    const revert = await service.request('POST', `/api/v1/runs/${runId}/revert`);
    expect(revert.status).toBe(202);
    const undone = await waitForRun(service, revert.body.runId);
    expect(undone.status, JSON.stringify(undone)).toBe('succeeded');
    expect(account?.properties).toMatchObject({ allowBlobPublicAccess: true, networkAcls: { defaultAction: 'Allow' } });
    expect(Object.fromEntries([...(account?.containers.values() ?? [])].map((c) => [c.name, c.publicAccess]))).toEqual({
      invoices: 'Container',
      images: 'Blob',
      backups: 'None',
    });
  });
});
