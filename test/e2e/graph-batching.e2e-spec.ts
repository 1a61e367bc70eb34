import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService, waitForRun } from '../support/service.js';

/*
 * Graph calls made at the same time for one connection target leave as `$batch` requests
 * (docs/AZURE.md#graph-batching), each inner answer read on its own. The fake answers every call
 * after 30 ms, so calls overlap as they do against the real Graph.
 */
let fake: FakeCloud;
let service: TestService;

beforeAll(async () => {
  fake = await startFakeCloud({ latencyMs: 30 });
  fake.seedDemo();
  service = await startService();
  expect(
    (await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake, 'batching') })).status,
  ).toBe(201);
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

const upn = (i: number) => `batch-user-${i}@contoso.com`;

async function respond(action: string, input: Record<string, unknown>) {
  const { status, body } = await service.request('POST', '/api/v1/responses', {
    body: { action, connectionTarget: 'batching', input },
  });
  expect(status).toBe(202);
  return waitForRun(service, body.runId, 30_000);
}

describe('Graph batching', () => {
  it('sends concurrent calls in $batch requests, retries only a throttled inner request, and keeps each error to its own call', async () => {
    const users = 30;
    for (let i = 0; i < users; i++)
      fake.addUser({ userPrincipalName: upn(i), displayName: `Batch ${i}`, accountEnabled: true, userType: 'Member' });
    // One inner request of a batch is throttled: it alone goes again, after its Retry-After.
    fake.faults.inject({
      service: 'graph',
      method: 'POST',
      path: '/revokeSignInSessions',
      batched: true,
      nth: 3,
      preset: 'throttle',
      retryAfter: 1,
    });
    const before = fake.count({ service: 'graph', batched: false });
    const started = Date.now() - 1000;

    const runs = await Promise.all([
      ...Array.from({ length: users }, (_, i) => respond('azure_ad.revoke_sessions', { user: upn(i) })),
      respond('azure_ad.get_user', { user: 'nobody-here@contoso.com' }),
    ]);

    expect(runs.slice(0, users).map((r) => r.status)).toEqual(Array(users).fill('succeeded'));
    expect(runs[users]!.status).toBe('failed');
    expect(runs[users]!.steps[0].error.code).toBe('user_not_found');
    const revokes = fake.requests({ service: 'graph', method: 'POST', path: '/revokeSignInSessions' });
    expect(revokes.filter((r) => r.status === 200)).toHaveLength(users);
    expect(revokes.filter((r) => r.status === 429)).toHaveLength(1);
    for (let i = 0; i < users; i++)
      expect(Date.parse(fake.getUser(upn(i))!.signInSessionsValidFromDateTime)).toBeGreaterThanOrEqual(started);
    // On the wire: fewer requests than calls, and batches of at most 20.
    const batches = fake.requests({ service: 'graph', method: 'POST', path: '/$batch', batched: false });
    expect(batches.length).toBeGreaterThan(0);
    expect(fake.count({ service: 'graph', batched: false }) - before).toBeLessThan(users);
  });

  it('packs the calls of a forEach into full batches', async () => {
    const users = 40;
    for (let i = 0; i < users; i++)
      fake.addUser({
        userPrincipalName: upn(100 + i),
        displayName: `Loop ${i}`,
        accountEnabled: true,
        userType: 'Member',
      });
    const playbook = `id: read-many
name: Read many users
inputs:
  users: { type: array, items: { type: string } }
steps:
  - id: read_all
    forEach:
      items: \${{ inputs.users }}
      concurrency: ${users}
      steps:
        - id: read
          action: azure_ad.get_user
          with:
            user: \${{ item }}
`;
    expect(
      (
        await service.request('PUT', '/api/v1/playbooks/read-many', {
          raw: playbook,
          headers: { 'Content-Type': 'application/yaml' },
        })
      ).status,
    ).toBe(201);
    const before = fake.count({ service: 'graph', batched: false });
    const started = await service.request('POST', '/api/v1/playbooks/read-many/runs', {
      body: { connectionTarget: 'batching', inputs: { users: Array.from({ length: users }, (_, i) => upn(100 + i)) } },
    });
    expect(started.status).toBe(202);
    const run = await waitForRun(service, started.body.runId, 30_000);
    expect(run.status).toBe('succeeded');
    expect(fake.requests({ service: 'graph', method: 'GET', path: /batch-user-1\d\d/, batched: true })).toHaveLength(
      users,
    );
    // 40 calls made within the linger fill two batches of 20 (a third if a slow machine spreads them out).
    expect(fake.count({ service: 'graph', batched: false }) - before).toBeLessThanOrEqual(3);
  });

  it('sends a call made on an idle line as itself, not as a batch of one', async () => {
    fake.addUser({
      userPrincipalName: 'alone@contoso.com',
      displayName: 'Alone',
      accountEnabled: true,
      userType: 'Member',
    });
    const batchesBefore = fake.count({ service: 'graph', path: '/$batch' });
    const run = await respond('azure_ad.get_user', { user: 'alone@contoso.com' });
    expect(run.status).toBe('succeeded');
    expect(fake.count({ service: 'graph', path: '/$batch' })).toBe(batchesBefore);
    expect(
      fake.requests({ service: 'graph', method: 'GET', path: '/users/alone@contoso.com', batched: false }),
    ).toHaveLength(1);
  });
});
