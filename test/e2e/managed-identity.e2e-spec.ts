import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { call, type ServiceProcess, spawnService } from '../support/service-process.js';

/*
 * msal-node picks the managed-identity source from the environment once per process, so the
 * service runs in its own process with App Service's IDENTITY_ENDPOINT pointing at the fake.
 */
let fake: FakeCloud;
let service: ServiceProcess;
const dataDir = mkdtempSync(join(tmpdir(), 'riposte-mi-'));

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  service = await spawnService({
    RIPOSTE_DATA_DIR: dataDir,
    IDENTITY_ENDPOINT: fake.msi.endpoint,
    IDENTITY_HEADER: fake.msi.identityHeader,
  });
});
afterAll(async () => {
  await service?.kill('SIGKILL');
  await fake?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a connection target with a managed identity', () => {
  it('gets its tokens from the identity endpoint, without any secret, and acts', async () => {
    const created = await call(service.url, 'POST', '/api/v1/connection-targets', {
      name: 'mi',
      tenantId: DEMO.tenantId,
      cloud: 'custom',
      endpoints: fake.endpoints,
      auth: { type: 'managedIdentity' },
    });
    expect(created.status).toBe(201);
    expect(created.body.auth).toEqual({ type: 'managedIdentity', hasSecret: false, expiresAt: null, clientId: null });
    const run = await call(service.url, 'POST', '/api/v1/responses?wait=20', {
      action: 'azure_ad.disable_user',
      connectionTarget: 'mi',
      input: { user: DEMO.users.alex.upn },
    });
    expect(run.body.status).toBe('succeeded');
    expect(fake.getUser(DEMO.users.alex.upn)?.accountEnabled).toBe(false);
    expect(fake.count({ service: 'msi' })).toBe(1);
    expect(fake.count({ service: 'identity', path: '/token' })).toBe(0);
  });
});
