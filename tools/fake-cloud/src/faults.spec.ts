import { ConfidentialClientApplication } from '@azure/msal-node';
import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCloud } from '../../../test/support/fake-cloud.js';
import { DEMO } from './demo-seed.js';
import type { FakeCloud } from './fake-cloud.js';
import type { RequestRecord } from './recorder.js';
import { apiClient } from './testing.js';

describe('faults and observation', () => {
  let fake: FakeCloud;
  beforeAll(async () => {
    fake = await startFakeCloud({ actionTransitionMs: Infinity });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.seedDemo();
  });

  const adele = `/v1.0/users/${DEMO.users.adele.id}`;
  const graph = () => apiClient(fake, 'graph');
  const mde = () => apiClient(fake, 'defender');
  const tokenError = async () => {
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: DEMO.clientId,
        clientSecret: DEMO.clientSecret,
        authority: `${fake.url}/${DEMO.tenantId}`,
        knownAuthorities: [new URL(fake.url).host],
      },
    });
    const error = (await cca
      .acquireTokenByClientCredential({ scopes: [`${fake.endpoints.graph}/.default`] })
      .catch((e: unknown) => e)) as Record<string, unknown>;
    return { name: error.name, errorCode: error.errorCode, errorNo: String(error.errorNo), status: error.status };
  };

  it('throttle: 429 with a fractional Retry-After, in Graph and in Defender shape', async () => {
    fake.faults.inject({ service: 'graph', preset: 'throttle', retryAfter: 2.128 });
    const res = await graph().get(adele);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('2.128');
    expect(res.data.error).toMatchObject({
      code: 'TooManyRequests',
      message: 'Please retry again later.',
      innerError: { code: '429', status: '429', message: 'Please retry after' },
    });
    expect((await graph().get(adele)).status).toBe(200);

    fake.faults.inject({ service: 'defender', preset: 'throttle', retryAfter: 7 });
    const mdeRes = await mde().get('/api/machines');
    expect(mdeRes.status).toBe(429);
    expect(mdeRes.headers['retry-after']).toBe('7');
    expect(mdeRes.data.error).toMatchObject({ code: 'TooManyRequests', target: expect.any(String) });
  });

  it.each([
    ['invalidSecret', 'invalid_client', '7000215', 401],
    ['expiredSecret', 'invalid_client', '7000222', 401],
    ['unknownTenant', 'invalid_tenant', '90002', 400],
    ['unknownApp', 'unauthorized_client', '700016', 400],
    ['forbidden', 'unauthorized_client', '7000112', 400],
    ['serverError', 'server_error', '50000', 500],
    ['throttle', 'temporarily_unavailable', '90055', 429],
  ] as const)(
    '%s on the token endpoint reaches msal as ServerError %s/%s',
    async (preset, errorCode, errorNo, status) => {
      fake.faults.inject({ service: 'identity', path: '/oauth2/v2.0/token', preset });
      expect(await tokenError()).toEqual({ name: 'ServerError', errorCode, errorNo, status });
      expect(fake.requests({ service: 'identity', method: 'POST' })[0]).toMatchObject({ status, fault: preset });
    },
  );

  it('identity presets target the token endpoint by default', async () => {
    fake.faults.inject({ preset: 'invalidSecret' });
    expect((await graph().get(adele)).status).toBe(200);
    expect((await tokenError()).errorNo).toBe('7000215');
  });

  it('forbidden, notFound, serverError and unavailable answer in the service shape', async () => {
    fake.faults.inject({ service: 'graph', preset: 'forbidden' });
    expect((await graph().get(adele)).data.error.code).toBe('Authorization_RequestDenied');
    fake.faults.inject({ service: 'defender', preset: 'forbidden' });
    expect((await mde().get('/api/machines')).data.error.code).toBe('Forbidden');
    fake.faults.inject({ service: 'graph', preset: 'notFound' });
    const notFound = await graph().get(adele);
    expect(notFound.status).toBe(404);
    expect(notFound.data.error.message).toContain(DEMO.users.adele.id);
    fake.faults.inject({ service: 'defender', preset: 'serverError' });
    expect((await mde().get('/api/machines')).data.error.code).toBe('InternalServerError');
    fake.faults.inject({ service: 'graph', preset: 'unavailable', retryAfter: 3 });
    const unavailable = await graph().get(adele);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('3');
    expect(unavailable.data.error.code).toBe('serviceNotAvailable');
  });

  it('resetConnection destroys the socket without an answer', async () => {
    fake.faults.inject({ service: 'graph', preset: 'resetConnection' });
    const error = await graph()
      .get(adele)
      .catch((e: { code?: string }) => e);
    expect((error as { code?: string }).code).toMatch(/ECONNRESET|ERR_SOCKET_CLOSED|ECONNABORTED/);
    expect(fake.requests({ service: 'graph' })).toMatchObject([{ status: 0, fault: 'resetConnection' }]);
  });

  it('a delay with the effect applied first: Azure acts, the request is recorded, and only then the answer is lost', async () => {
    fake.faults.inject({
      service: 'defender',
      method: 'POST',
      path: /\/isolate$/,
      preset: 'resetConnection',
      delayMs: 300,
      effect: 'before',
    });
    const started = Date.now();
    let answered = false;
    const call = mde()
      .post(`/api/machines/${DEMO.machines.adeleDesktop.id}/isolate`, { Comment: 'x' })
      .catch((e: Error) => e)
      .finally(() => (answered = true));
    // Recorded and acted on before the delayed reset reaches the client.
    const record = await fake.waitForRequest({ service: 'defender', path: '/isolate' }, 2000);
    expect(answered).toBe(false);
    expect(record).toMatchObject({ method: 'POST', status: 0, fault: 'resetConnection' });
    expect(fake.listMachineActions({ machineId: DEMO.machines.adeleDesktop.id })).toMatchObject([
      { type: 'Isolate', status: 'Pending' },
    ]);
    expect(await call).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('effect "late": the request is logged as received at once, and applied only after the delay', async () => {
    fake.faults.inject({ service: 'defender', method: 'POST', path: /\/isolate$/, delayMs: 300, effect: 'late' });
    const call = mde().post(`/api/machines/${DEMO.machines.adeleDesktop.id}/isolate`, { Comment: 'x' });
    const record = await fake.waitForRequest({ service: 'defender', path: '/isolate' }, 2000);
    expect(record).toMatchObject({ method: 'POST', fault: 'delay:300' });
    // Received, not yet applied: a look now finds nothing.
    expect(fake.listMachineActions({ machineId: DEMO.machines.adeleDesktop.id })).toEqual([]);
    expect((await call).status).toBe(201);
    expect(fake.listMachineActions({ machineId: DEMO.machines.adeleDesktop.id })).toMatchObject([
      { type: 'Isolate', status: 'Pending' },
    ]);
    expect(fake.count({ service: 'defender', method: 'POST', path: '/isolate' })).toBe(1);
  });

  it('a plain delay slows the answer; effect "none" never applies the request', async () => {
    fake.faults.inject({ service: 'graph', method: 'PATCH', delayMs: 120 });
    const started = Date.now();
    expect((await graph().patch(adele, { accountEnabled: false })).status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    expect(fake.getUser(DEMO.users.adele.id)?.accountEnabled).toBe(false);

    fake.faults.inject({ service: 'graph', method: 'PATCH', status: 504, delayMs: 20, effect: 'none' });
    const timedOut = await graph().patch(adele, { accountEnabled: true });
    expect(timedOut.status).toBe(504);
    expect(timedOut.data.error.code).toBe('UnknownError');
    expect(fake.getUser(DEMO.users.adele.id)?.accountEnabled).toBe(false);

    fake.faults.inject({ service: 'graph', method: 'PATCH', status: 502, effect: 'before' });
    expect((await graph().patch(adele, { accountEnabled: true })).status).toBe(502);
    expect(fake.getUser(DEMO.users.adele.id)?.accountEnabled).toBe(true);
  });

  it('nth, times, unlimited, custom bodies, remove() and clear()', async () => {
    const second = fake.faults.inject({
      service: 'graph',
      path: '/users/',
      nth: 2,
      status: 418,
      body: { teapot: true },
      headers: { 'X-Fault': 'yes' },
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await graph().get(adele)).status);
    expect(statuses).toEqual([200, 418, 200]);
    expect(second).toMatchObject({ seen: 2, fired: 1 });

    const always = fake.faults.inject({ service: 'defender', preset: 'serverError', times: 'unlimited' });
    for (let i = 0; i < 3; i++) expect((await mde().get('/api/machines')).status).toBe(500);
    always.remove();
    expect((await mde().get('/api/machines')).status).toBe(200);

    fake.faults.inject({ service: 'graph', preset: 'forbidden', times: 2 });
    fake.faults.clear();
    expect((await graph().get(adele)).status).toBe(200);
  });

  it('records every request without secrets, counts exactly and emits "request"', async () => {
    const seen: RequestRecord[] = [];
    const listener = (r: RequestRecord) => seen.push(r);
    fake.on('request', listener);
    const form = new URLSearchParams({
      client_id: DEMO.clientId,
      client_secret: DEMO.clientSecret,
      scope: `${fake.endpoints.graph}/.default`,
      grant_type: 'client_credentials',
    });
    const token = (
      await axios.post(`${fake.url}/${DEMO.tenantId}/oauth2/v2.0/token?client_secret=leaked`, form.toString())
    ).data.access_token as string;
    await axios.get(`${fake.endpoints.graph}${adele}?$select=id`, { headers: { authorization: `Bearer ${token}` } });
    await graph().get('/v1.0/users/ghost');
    fake.off('request', listener);

    const log = JSON.stringify(fake.requests());
    expect(log).not.toContain(DEMO.clientSecret);
    expect(log).not.toContain(token);
    expect(log).not.toContain('leaked');
    expect(seen.map((r) => [r.seq, r.service, r.method, r.status])).toEqual([
      [1, 'identity', 'POST', 200],
      [2, 'graph', 'GET', 200],
      [3, 'graph', 'GET', 404],
    ]);
    expect(seen[1]).toMatchObject({
      path: `/graph${adele}`,
      query: { $select: 'id' },
      batched: false,
      at: expect.any(String),
    });
    expect(fake.count({ service: 'graph' })).toBe(2);
    expect(fake.count({ path: /\/users\/ghost$/ })).toBe(1);
    expect(fake.tokenRequests()).toBe(1);
    const later = fake.waitForRequest({ service: 'defender', afterSeq: fake.lastRequestSeq }, 1000);
    await mde().get('/api/machines');
    expect((await later).path).toBe('/defender/api/machines');
    await expect(fake.waitForRequest({ service: 'msi' }, 50)).rejects.toThrow(/no request matching/);
  });

  it('latencyMs is added to every answer, inner $batch requests included', async () => {
    const slow = await startFakeCloud({ latencyMs: 60 });
    try {
      slow.seedDemo();
      const client = apiClient(slow, 'graph');
      let started = Date.now();
      await client.get(adele);
      expect(Date.now() - started).toBeGreaterThanOrEqual(55);
      started = Date.now();
      const res = await client.post('/v1.0/$batch', {
        requests: [1, 2, 3].map((id) => ({ id: String(id), method: 'GET', url: `/users/${DEMO.users.adele.id}` })),
      });
      expect(res.data.responses).toHaveLength(3);
      expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    } finally {
      await slow.close();
    }
  });
});
