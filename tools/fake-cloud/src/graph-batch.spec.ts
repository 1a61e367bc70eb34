import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCloud } from '../../../test/support/fake-cloud.js';
import { DEMO } from './demo-seed.js';
import type { FakeCloud } from './fake-cloud.js';
import { apiClient } from './testing.js';

type Inner = {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: { error?: { code: string } } & Record<string, unknown>;
};

describe('graph: JSON $batch', () => {
  let fake: FakeCloud;
  beforeAll(async () => {
    fake = await startFakeCloud();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.seedDemo();
  });

  const batch = async (requests: unknown[], roles?: string[]) => {
    const res = await apiClient(fake, 'graph', { roles }).post('/v1.0/$batch', { requests });
    const byId = Object.fromEntries(((res.data.responses ?? []) as Inner[]).map((r) => [r.id, r]));
    return { res, byId, order: ((res.data.responses ?? []) as Inner[]).map((r) => r.id) };
  };

  it('runs each request through the routes (permissions per request) and answers per id, not in request order', async () => {
    const { res, byId, order } = await batch(
      [
        { id: '1', method: 'GET', url: `/users/${DEMO.users.adele.upn}?$select=id,accountEnabled` },
        {
          id: '2',
          method: 'PATCH',
          url: `users/${DEMO.users.megan.id}`,
          body: { accountEnabled: false },
          headers: { 'Content-Type': 'application/json' },
        },
        { id: '3', method: 'POST', url: `/users/${DEMO.users.alex.id}/revokeSignInSessions` },
        { id: '4', method: 'GET', url: '/users/nobody@contoso.com' },
        { id: '5', method: 'GET', url: '/v1.0/users' },
      ],
      ['User.Read.All', 'User.RevokeSessions.All'],
    );
    expect(res.status).toBe(200);
    expect(order).not.toEqual(['1', '2', '3', '4', '5']);
    expect(byId['1']).toMatchObject({
      status: 200,
      body: { id: DEMO.users.adele.id, accountEnabled: true },
      headers: { 'Content-Type': expect.stringContaining('application/json') },
    });
    expect(byId['2']).toMatchObject({ status: 403, body: { error: { code: 'Authorization_RequestDenied' } } });
    expect(byId['3']).toMatchObject({ status: 200, body: { value: true } });
    expect(byId['4']).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    expect(byId['5']).toMatchObject({
      status: 400,
      body: { error: { code: 'BadRequest', message: "Resource not found for the segment 'v1.0'." } },
    });
    expect(fake.getUser(DEMO.users.megan.id)?.accountEnabled).toBe(true);
    expect(fake.count({ service: 'graph', batched: true })).toBe(5);
    expect(fake.requests({ service: 'graph', batched: false })).toMatchObject([
      { method: 'POST', path: '/graph/v1.0/$batch', status: 200 },
    ]);
  });

  it('gives a 204 inner response without a body', async () => {
    const { byId } = await batch([
      {
        id: 'a',
        method: 'PATCH',
        url: `/users/${DEMO.users.megan.id}`,
        body: { accountEnabled: false },
        headers: { 'content-type': 'application/json' },
      },
    ]);
    expect(byId.a).toEqual({ id: 'a', status: 204, headers: { 'OData-Version': '4.0' } });
    expect(fake.getUser(DEMO.users.megan.id)?.accountEnabled).toBe(false);
  });

  it.each([
    [
      'more than 20 requests',
      Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: `/users/${DEMO.users.adele.id}` })),
    ],
    [
      'duplicate ids (case-insensitive)',
      [
        { id: 'x', method: 'GET', url: '/users/a' },
        { id: 'X', method: 'GET', url: '/users/b' },
      ],
    ],
    [
      'a body without Content-Type',
      [{ id: '1', method: 'PATCH', url: `/users/${DEMO.users.megan.id}`, body: { accountEnabled: false } }],
    ],
    [
      'a dependsOn naming no earlier request',
      [
        { id: '1', method: 'GET', url: '/users/a', dependsOn: ['2'] },
        { id: '2', method: 'GET', url: '/users/b' },
      ],
    ],
    ['no requests', []],
  ])('refuses a batch with %s with an outer 400', async (_case, requests) => {
    const { res } = await batch(requests);
    expect(res.status).toBe(400);
    expect(res.data.error.code).toBe('BadRequest');
    expect(fake.count({ batched: true })).toBe(0);
  });

  it('answers 424 to a request whose dependency failed, and runs it when the dependency succeeded', async () => {
    const { byId } = await batch([
      { id: '1', method: 'GET', url: '/users/ghost@contoso.com' },
      { id: '2', method: 'POST', url: `/users/${DEMO.users.alex.id}/revokeSignInSessions`, dependsOn: ['1'] },
      { id: '3', method: 'GET', url: `/users/${DEMO.users.alex.id}` },
      { id: '4', method: 'POST', url: `/users/${DEMO.users.alex.id}/revokeSignInSessions`, dependsOn: ['3'] },
    ]);
    expect(byId['1']!.status).toBe(404);
    expect(byId['2']!.status).toBe(424);
    expect(byId['3']!.status).toBe(200);
    expect(byId['4']!.status).toBe(200);
    expect(fake.count({ batched: true, path: '/revokeSignInSessions' })).toBe(1);
  });

  it('throttles single requests inside a batch with their own Retry-After', async () => {
    fake.faults.inject({
      service: 'graph',
      batched: true,
      path: '/revokeSignInSessions',
      preset: 'throttle',
      retryAfter: 2.5,
    });
    const { res, byId } = await batch([
      { id: 'r', method: 'POST', url: `/users/${DEMO.users.adele.id}/revokeSignInSessions` },
      { id: 'g', method: 'GET', url: `/users/${DEMO.users.adele.id}` },
    ]);
    expect(res.status).toBe(200);
    expect(byId.r).toMatchObject({
      status: 429,
      headers: { 'Retry-After': '2.5' },
      body: { error: { code: 'TooManyRequests' } },
    });
    expect(byId.g!.status).toBe(200);
    expect(fake.requests({ batched: true, status: 429 })).toMatchObject([
      { fault: 'throttle', path: `/graph/v1.0/users/${DEMO.users.adele.id}/revokeSignInSessions` },
    ]);
  });
});
