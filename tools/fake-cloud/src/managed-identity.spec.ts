import { ManagedIdentityApplication } from '@azure/msal-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCloud } from '../../../test/support/fake-cloud.js';
import { DEMO } from './demo-seed.js';
import type { FakeCloud } from './fake-cloud.js';
import { decodeJwt } from './tokens.js';

// msal-node picks the managed identity source from the environment once per process; Vitest runs each
// spec file in its own forked process, so this file can pose as an App Service.
describe('managed identity: msal-node ManagedIdentityApplication (App Service source) against /msi/token', () => {
  let fake: FakeCloud;
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

  beforeAll(async () => {
    fake = await startFakeCloud({ msiIdentityHeader: 'spec-identity-header' });
    fake.seedDemo();
    process.env.IDENTITY_ENDPOINT = fake.msi.endpoint;
    process.env.IDENTITY_HEADER = fake.msi.identityHeader;
  });
  afterAll(async () => {
    process.env.IDENTITY_ENDPOINT = saved.endpoint;
    process.env.IDENTITY_HEADER = saved.header;
    if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
    if (saved.header === undefined) delete process.env.IDENTITY_HEADER;
    await fake.close();
  });

  it('gets a system-assigned token for the Defender resource, then serves it from cache', async () => {
    const mi = new ManagedIdentityApplication();
    expect(mi.getManagedIdentitySource()).toBe('AppService');
    const first = await mi.acquireToken({ resource: fake.endpoints.defender });
    expect(first.fromCache).toBe(false);
    expect(decodeJwt(first.accessToken)!.payload).toMatchObject({
      aud: fake.endpoints.defender,
      appid: DEMO.managedIdentityClientId,
      roles: DEMO.roles.defender,
    });
    expect(first.expiresOn!.getTime()).toBeGreaterThan(Date.now() + 3000_000);
    const second = await mi.acquireToken({ resource: fake.endpoints.defender });
    expect(second.fromCache).toBe(true);
    expect(fake.requests({ service: 'msi' })).toMatchObject([
      {
        method: 'GET',
        path: '/msi/token',
        status: 200,
        query: { 'api-version': '2019-08-01', resource: fake.endpoints.defender },
      },
    ]);
  });

  it('asks for a user-assigned identity by client id', async () => {
    const clientId = '0a5e2b1c-7d3f-4e8a-9b6c-1d2e3f4a5b6c';
    fake.addManagedIdentity({ clientId, roles: { graph: ['User.Read.All'] } });
    const mi = new ManagedIdentityApplication({ managedIdentityIdParams: { userAssignedClientId: clientId } });
    const result = await mi.acquireToken({ resource: fake.endpoints.graph });
    expect(decodeJwt(result.accessToken)!.payload).toMatchObject({ appid: clientId, roles: ['User.Read.All'] });
  });
});
