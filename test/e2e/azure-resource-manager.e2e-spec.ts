import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService } from '../support/service.js';

/*
 * Seed 003's client credentials set-up: a subscription and a resource group on the connection
 * target, and a Test that says whether the resource group can be read and with which Azure role.
 */
const SUBSCRIPTION = randomUUID();
const RESOURCE_GROUP = 'rg-data';
const REDIRECT_URI = 'https://riposte.example.org/api/v1/sign-in/redirect';

let fake: FakeCloud;
let service: TestService;

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  fake.getApp(DEMO.clientId)?.redirectUris.push(REDIRECT_URI);
  fake.addStorageAccount({ subscriptionId: SUBSCRIPTION, resourceGroup: RESOURCE_GROUP, name: 'contosodata' });
  service = await startService({ RIPOSTE_SIGN_IN_REDIRECT_URI: REDIRECT_URI });
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

const test = async (name: string) => {
  const { status, body } = await service.request('POST', `/api/v1/connection-targets/${name}/test`);
  expect(status).toBe(200);
  return body;
};

describe('Azure Resource Manager on a connection target', () => {
  it('keeps the subscription and resource group, and checks bad values', async () => {
    const bad = await service.request('POST', '/api/v1/connection-targets', {
      body: demoTarget(fake, 'bad', { subscriptionId: 'not-a-guid', resourceGroup: 'ends-with-a-dot.' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/resourceGroup', '/subscriptionId']);
    const created = await service.request('POST', '/api/v1/connection-targets', {
      body: demoTarget(fake, 'storage', { subscriptionId: SUBSCRIPTION, resourceGroup: RESOURCE_GROUP }),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ subscriptionId: SUBSCRIPTION, resourceGroup: RESOURCE_GROUP });
  });

  it('says in words when the app holds no role, then which role it holds', async () => {
    const before = await test('storage');
    expect(before.ok).toBe(false);
    expect(before.arm).toMatchObject({ ok: false, resourceGroupReadable: false, principal: { kind: 'application' } });
    expect(before.arm.problems[0]).toMatch(/may not read resource group rg-data .*assign it at least Reader/);
    expect(before.actions.find((a: { action: string }) => a.action === 'storage.get_exposure')?.ready ?? false).toBe(
      false,
    );

    fake.assignAzureRole(DEMO.clientId, 'Reader', `/subscriptions/${SUBSCRIPTION}`);
    const reader = await test('storage');
    expect(reader.arm).toMatchObject({
      ok: true,
      resourceGroupReadable: true,
      roles: [{ roleName: 'Reader', scope: `/subscriptions/${SUBSCRIPTION}` }],
      problems: [],
    });
    expect(reader.ok).toBe(true);
    const block = reader.actions.find((a: { action: string }) => a.action === 'storage.block_public_blob_access');
    if (block) {
      expect(block.ready).toBe(false);
      expect(block.missing[0].fix).toMatch(
        /Assign an Azure role that allows Microsoft\.Storage\/storageAccounts\/write/,
      );
    }

    fake.assignAzureRole(
      DEMO.clientId,
      'Storage Account Contributor',
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}`,
    );
    const contributor = await test('storage');
    expect(contributor.arm.roles.map((r: { roleName: string }) => r.roleName).sort()).toEqual([
      'Reader',
      'Storage Account Contributor',
    ]);
    const ready = contributor.actions.filter((a: { action: string }) => a.action.startsWith('storage.'));
    expect(ready.every((a: { ready: boolean }) => a.ready)).toBe(true);
  });

  it('names a resource group that does not exist', async () => {
    await service.request('POST', '/api/v1/connection-targets', {
      body: demoTarget(fake, 'typo', { subscriptionId: SUBSCRIPTION, resourceGroup: 'rg-dta' }),
    });
    const report = await test('typo');
    expect(report.ok).toBe(false);
    expect(report.arm.problems).toEqual([
      `There is no resource group rg-dta in subscription ${SUBSCRIPTION} (or it is in another tenant): check the names.`,
    ]);
  });

  it('checks the role of the signed-in person for a delegated target', async () => {
    fake.assignAzureRole(
      DEMO.users.megan.upn,
      'Contributor',
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}`,
    );
    await service.request('POST', '/api/v1/connection-targets', {
      body: demoTarget(fake, 'as-megan', {
        subscriptionId: SUBSCRIPTION,
        resourceGroup: RESOURCE_GROUP,
        auth: { type: 'authorizationCode', clientSecret: DEMO.clientSecret },
      }),
    });
    const before = await test('as-megan');
    expect(before.ok).toBe(false);
    expect(before.delegated).toMatchObject({ signedIn: false });
    expect(before.delegated.reason).toMatch(/nobody has signed in yet/);

    const authorize = await service.request('POST', '/api/v1/connection-targets/as-megan/authorize');
    // Seed 003: the person signs in to Azure Service Management (user_impersonation).
    expect(new URL(authorize.body.url).searchParams.get('scope')).toContain(`${fake.endpoints.management}/.default`);
    fake.answerAuthorize({ user: DEMO.users.megan.upn });
    const page = await fetch(authorize.body.url, { redirect: 'manual' });
    const back = await service.request(
      'GET',
      `/api/v1/sign-in/redirect${new URL(page.headers.get('location') as string).search}`,
      { key: null },
    );
    expect(back.status).toBe(200);

    const after = await test('as-megan');
    expect(after.delegated).toMatchObject({ signedIn: true, account: DEMO.users.megan.upn });
    expect(after.arm).toMatchObject({
      ok: true,
      principal: { kind: 'user', objectId: DEMO.users.megan.id, name: DEMO.users.megan.upn },
      roles: [{ roleName: 'Contributor' }],
    });
  });
});
