import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCloud } from '../../../test/support/fake-cloud.js';
import { DEMO } from './demo-seed.js';
import type { FakeCloud } from './fake-cloud.js';
import { apiClient } from './testing.js';

describe('control API under /_fake/', () => {
  let fake: FakeCloud;
  const control = axios.create({ validateStatus: () => true });
  const at = (path: string) => `${fake.url}/_fake${path}`;

  beforeAll(async () => {
    fake = await startFakeCloud({ actionTransitionMs: Infinity });
  });
  afterAll(() => fake.close());

  it('listens on 127.0.0.1 only and reports its endpoints', async () => {
    expect(fake.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await control.get(at('/health'));
    expect(health.data).toEqual({
      ok: true,
      url: fake.url,
      endpoints: {
        authority: fake.url,
        graph: `${fake.url}/graph`,
        defender: `${fake.url}/defender`,
        management: `${fake.url}/management`,
      },
    });
  });

  it('resets, seeds the demo tenant and adds users, machines and alerts', async () => {
    expect((await control.post(at('/reset'))).status).toBe(204);
    const seeded = await control.post(at('/seed/demo'));
    expect(seeded.data).toMatchObject({
      tenantId: DEMO.tenantId,
      clientId: DEMO.clientId,
      clientSecret: DEMO.clientSecret,
    });

    const user = await control.post(at('/users'), {
      userPrincipalName: 'patti.fernandez@contoso.com',
      displayName: 'Patti Fernandez',
    });
    expect(user.status).toBe(201);
    expect((await control.get(at('/users/Patti.Fernandez@contoso.com'))).data).toMatchObject({
      id: user.data.id,
      accountEnabled: true,
    });
    expect((await control.get(at('/users/nobody@contoso.com'))).status).toBe(404);

    const machine = await control.post(at('/machines'), {
      computerDnsName: 'Kiosk-07.contoso.com',
      machineTags: ['Kiosk'],
    });
    expect(machine.data.id).toMatch(/^[0-9a-f]{40}$/);
    expect((await control.get(at('/machines/kiosk-07.contoso.com'))).data).toMatchObject({
      id: machine.data.id,
      isolationState: 'NotIsolated',
    });

    const alerts = await control.post(at('/alerts'), {
      value: [{ id: 'ctl_-1', title: 'From control', severity: 'low' }, { title: 'Second' }],
    });
    expect(alerts.status).toBe(201);
    expect(alerts.data.value).toHaveLength(2);
    const listed = await apiClient(fake, 'graph').get(`/v1.0/security/alerts_v2?$filter=severity eq 'low'`);
    expect(listed.data.value.map((a: { id: string }) => a.id)).toContain('ctl_-1');

    expect((await control.post(at('/reset'), { seed: 'demo' })).data.tenantId).toBe(DEMO.tenantId);
    expect((await control.get(at('/users/patti.fernandez@contoso.com'))).status).toBe(404);
  });

  it('injects, lists and removes faults (path as a regex string)', async () => {
    await control.post(at('/reset'), { seed: 'demo' });
    const injected = await control.post(at('/faults'), {
      service: 'graph',
      path: 'users/[^/]+/revokeSignInSessions$',
      preset: 'throttle',
      retryAfter: 0.5,
      times: 'unlimited',
    });
    expect(injected.status).toBe(201);
    const graph = apiClient(fake, 'graph');
    for (let i = 0; i < 2; i++)
      expect((await graph.post(`/v1.0/users/${DEMO.users.adele.id}/revokeSignInSessions`)).status).toBe(429);
    expect((await graph.get(`/v1.0/users/${DEMO.users.adele.id}`)).status).toBe(200);
    const listed = await control.get(at('/faults'));
    expect(listed.data.value).toEqual([
      expect.objectContaining({
        id: injected.data.id,
        fired: 2,
        spec: expect.objectContaining({ preset: 'throttle', path: '/users\\/[^/]+\\/revokeSignInSessions$/' }),
      }),
    ]);
    expect((await control.delete(at(`/faults/${injected.data.id}`))).status).toBe(204);
    expect((await graph.post(`/v1.0/users/${DEMO.users.adele.id}/revokeSignInSessions`)).status).toBe(200);
    await control.post(at('/faults'), { service: 'defender', preset: 'unavailable' });
    expect((await control.delete(at('/faults'))).status).toBe(204);
    expect((await control.get(at('/faults'))).data.value).toEqual([]);
    const bad = await control.post(at('/faults'), { preset: 'meteorStrike' });
    expect(bad.status).toBe(400);
    expect(bad.data.error.message).toContain('preset must be one of');
  });

  it('reports requests and counts, filtered, and does not record its own calls', async () => {
    await control.post(at('/reset'), { seed: 'demo' });
    const graph = apiClient(fake, 'graph');
    await graph.get(`/v1.0/users/${DEMO.users.adele.id}`);
    await graph.get('/v1.0/users/ghost@contoso.com');
    await apiClient(fake, 'defender').get('/api/machines');
    const requests = await control.get(at('/requests'), { params: { service: 'graph', path: 'ghost' } });
    expect(requests.data.value).toMatchObject([
      { service: 'graph', method: 'GET', path: '/graph/v1.0/users/ghost@contoso.com', status: 404, batched: false },
    ]);
    const counts = await control.get(at('/counts'), { params: { service: 'graph', method: 'GET' } });
    expect(counts.data).toEqual({ total: 3, byService: { graph: 2, defender: 1 }, tokenRequests: 0, count: 2 });
  });

  it('approves device codes, redeemed with the URN grant type', async () => {
    await control.post(at('/reset'), { seed: 'demo' });
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const started = await control.post(
      `${fake.url}/contoso.com/oauth2/v2.0/devicecode`,
      form({ client_id: DEMO.clientId, scope: 'User.Read openid offline_access' }),
    );
    expect(started.data).toMatchObject({
      user_code: expect.stringMatching(/^[A-Z0-9]{9}$/),
      interval: 5,
      expires_in: 900,
    });
    const redeem = () =>
      control.post(
        `${fake.url}/${DEMO.tenantId}/oauth2/v2.0/token`,
        form({
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          client_id: DEMO.clientId,
          device_code: started.data.device_code,
        }),
      );
    expect((await redeem()).data).toMatchObject({ error: 'authorization_pending', error_codes: [70016] });
    expect((await control.get(at('/devicecodes'))).data.value).toEqual([started.data.user_code]);
    expect(
      (await control.post(at(`/devicecodes/${started.data.user_code}/approve`), { user: DEMO.users.megan.upn })).status,
    ).toBe(204);
    const tokens = await redeem();
    expect(tokens.status).toBe(200);
    expect(tokens.data).toMatchObject({
      token_type: 'Bearer',
      scope: 'User.Read openid',
      refresh_token: expect.any(String),
      id_token: expect.any(String),
      client_info: expect.any(String),
    });
    expect(JSON.parse(Buffer.from(tokens.data.client_info, 'base64url').toString())).toEqual({
      uid: DEMO.users.megan.id,
      utid: DEMO.tenantId,
    });
    expect((await redeem()).data.error).toBe('bad_verification_code');
    const refreshed = await control.post(
      `${fake.url}/${DEMO.tenantId}/oauth2/v2.0/token`,
      form({ grant_type: 'refresh_token', client_id: DEMO.clientId, refresh_token: tokens.data.refresh_token }),
    );
    expect(refreshed.data.access_token).toEqual(expect.any(String));
  });

  it('completes and scripts machine actions', async () => {
    await control.post(at('/reset'), { seed: 'demo' });
    const mde = apiClient(fake, 'defender');
    const isolate = await mde.post(`/api/machines/${DEMO.machines.webServer.id}/isolate`, { Comment: 'ctl' });
    const listed = await control.get(at('/machineactions'), { params: { machineId: DEMO.machines.webServer.id } });
    expect(listed.data.value).toMatchObject([{ id: isolate.data.id, status: 'Pending' }]);
    const completed = await control.post(at(`/machineactions/${isolate.data.id}/complete`), { status: 'Failed' });
    expect(completed.data).toMatchObject({ id: isolate.data.id, status: 'Failed' });
    expect((await mde.get(`/api/machineactions/${isolate.data.id}`)).data.status).toBe('Failed');
    expect((await control.post(at(`/machineactions/${isolate.data.id}/complete`), { status: 'Exploded' })).status).toBe(
      400,
    );
    expect((await control.post(at('/machineactions/6b1d3c1e-0000-4000-8000-000000000000/complete'))).status).toBe(404);

    expect((await control.post(at('/machineactions/script'), { outcome: 'Cancelled' })).status).toBe(201);
    const next = await mde.post(`/api/machines/${DEMO.machines.webServer.id}/isolate`, { Comment: 'again' });
    fake.completeMachineAction(next.data.id, 'InProgress');
    expect(fake.getMachineAction(next.data.id)?.status).toBe('InProgress');
    // Without a status, a manual completion ends the action as it was scripted.
    expect((await control.post(at(`/machineactions/${next.data.id}/complete`))).data.status).toBe('Cancelled');
    expect(fake.getMachine(DEMO.machines.webServer.id)?.isolationState).toBe('NotIsolated');
    expect((await control.post(at('/machineactions/script'), { outcome: 'Sideways' })).status).toBe(400);
  });
});
