import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCloud } from '../../../test/support/fake-cloud.js';
import { DEMO } from './demo-seed.js';
import type { FakeCloud } from './fake-cloud.js';
import type { MachineActionStatus } from './model.js';
import { apiClient } from './testing.js';

const STEP_MS = 25;

describe('defender for endpoint: machines and machine actions', () => {
  let fake: FakeCloud;
  beforeAll(async () => {
    fake = await startFakeCloud({ actionTransitionMs: STEP_MS });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.seedDemo();
  });

  const mde = () => apiClient(fake, 'defender');
  const adeleDesktop = DEMO.machines.adeleDesktop.id;

  /** Polls the action the way a client would, until it reaches `status`. */
  const until = async (actionId: string, status: MachineActionStatus) => {
    const seen: string[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      const res = await mde().get(`/api/machineactions/${actionId}`);
      if (seen.at(-1) !== res.data.status) seen.push(res.data.status);
      if (res.data.status === status) return { action: res.data, seen };
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`action ${actionId} never reached ${status}; saw ${seen.join(' → ')}`);
  };

  it('finds machines by computerDnsName (case-insensitive, OData quote escaping), id and tag', async () => {
    fake.addMachine({ computerDnsName: "o'brien-pc.contoso.com", machineTags: ['VIP'] });
    const names = async (filter: string) => {
      const res = await mde().get('/api/machines', { params: { $filter: filter } });
      expect(res.status, JSON.stringify(res.data)).toBe(200);
      return res.data.value.map(
        (m: { computerDnsName: string; id: string }) => `${m.computerDnsName}#${m.id.slice(0, 4)}`,
      );
    };
    expect(await names("computerDnsName eq 'DESKTOP-ADELE.contoso.com'")).toEqual([
      'desktop-adele.contoso.com#359f',
      'desktop-adele.contoso.com#2307',
    ]);
    expect(await names("computerDnsName eq 'O''Brien-PC.contoso.com'")).toHaveLength(1);
    expect(await names(`id eq '${DEMO.machines.webServer.id}'`)).toEqual(['srv-web-01.contoso.com#460f']);
    expect(await names("machineTags/any(t: t eq 'tier0')")).toEqual(['srv-web-01.contoso.com#460f']);
    expect(await names("healthStatus eq 'Active' and computerDnsName eq 'desktop-adele.contoso.com'")).toEqual([
      'desktop-adele.contoso.com#359f',
    ]);
    const top = await mde().get('/api/machines?$top=2');
    expect(top.data.value).toHaveLength(2);
    expect(top.data['@odata.nextLink']).toContain('$skip=2');
    expect(top.data.value[0].isolationState).toBeUndefined();
    const bad = await mde().get('/api/machines', { params: { $filter: "colour eq 'red'" } });
    expect(bad.status).toBe(400);
    expect(bad.data.error).toMatchObject({ code: 'ODataError', target: expect.any(String) });
  });

  it('gets a machine, and answers an unknown one with 404 ResourceNotFound', async () => {
    expect((await mde().get(`/api/machines/${adeleDesktop}`)).data).toMatchObject({
      id: adeleDesktop,
      computerDnsName: 'desktop-adele.contoso.com',
      healthStatus: 'Active',
    });
    const missing = await mde().get('/api/machines/0000000000000000000000000000000000000000');
    expect(missing.status).toBe(404);
    expect(missing.data).toEqual({
      error: {
        code: 'ResourceNotFound',
        message: 'Machine 0000000000000000000000000000000000000000 was not found',
        target: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
    });
  });

  it('isolates: 201 Pending, then InProgress, then Succeeded; the machine is isolated; a duplicate while pending is 400', async () => {
    fake.scriptMachineActions({ outcome: 'StayInProgress', count: 1 });
    const res = await mde().post(`/api/machines/${adeleDesktop}/isolate`, {
      Comment: 'Isolate machine due to alert 1234',
      IsolationType: 'Full',
    });
    expect(res.status).toBe(201);
    expect(res.data).toMatchObject({
      '@odata.context': `${fake.endpoints.defender}/api/$metadata#MachineActions/$entity`,
      type: 'Isolate',
      scope: 'Full',
      status: 'Pending',
      machineId: adeleDesktop,
      computerDnsName: 'desktop-adele.contoso.com',
      requestor: DEMO.clientId,
      requestorComment: 'Isolate machine due to alert 1234',
      creationDateTimeUtc: expect.any(String),
      lastUpdateDateTimeUtc: expect.any(String),
    });
    const again = await mde().post(`/api/machines/${adeleDesktop}/isolate`, { Comment: 'again' });
    expect(again.status).toBe(400);
    expect(again.data.error).toMatchObject({
      code: 'ActiveRequestAlreadyExists',
      message: 'Action is already in progress',
    });

    // Scripted to stop at InProgress, so that a busy machine cannot skip past it between two looks.
    const { action } = await until(res.data.id, 'InProgress');
    expect(action.lastUpdateDateTimeUtc > res.data.creationDateTimeUtc).toBe(true);
    fake.completeMachineAction(res.data.id);
    await until(res.data.id, 'Succeeded');
    expect(fake.getMachine(adeleDesktop)?.isolationState).toBe('Full');

    const release = await mde().post(`/api/machines/${adeleDesktop}/unisolate`, { Comment: 'clean' });
    expect(release.data).toMatchObject({ type: 'Unisolate', status: 'Pending', scope: null });
    await until(release.data.id, 'Succeeded');
    expect(fake.getMachine(adeleDesktop)?.isolationState).toBe('NotIsolated');
  });

  it.each([
    [{ comment: 'lower case' }, 'InvalidRequestBody'],
    [{ Comment: 'ok', isolationType: 'Full' }, 'InvalidRequestBody'],
    [{ Comment: 'ok', IsolationType: 'Partial' }, 'InvalidRequestBody'],
    [{}, 'MissingRequiredParameter'],
    [{ IsolationType: 'Full' }, 'MissingRequiredParameter'],
  ])('refuses the isolate body %j with 400 %s (parameter names are case-sensitive)', async (body, code) => {
    const res = await mde().post(`/api/machines/${adeleDesktop}/isolate`, body);
    expect(res.status).toBe(400);
    expect(res.data.error.code).toBe(code);
    expect(fake.listMachineActions()).toEqual([]);
  });

  it('lists machine actions with $filter on machineId, type, status and creationDateTimeUtc', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    // Both stay Pending until told otherwise: the filter on status must not race the timer.
    fake.scriptMachineActions({ outcome: 'StayPending', count: 2 });
    const selective = await mde().post(`/api/machines/${DEMO.machines.meganLaptop.id}/isolate`, {
      Comment: 'x',
      IsolationType: 'Selective',
    });
    await mde().post(`/api/machines/${adeleDesktop}/isolate`, { Comment: 'y' });
    const list = async (filter: string) =>
      (await mde().get('/api/machineactions', { params: { $filter: filter } })).data.value as Array<{ id: string }>;
    expect(
      (await list(`machineId eq '${DEMO.machines.meganLaptop.id}' and type eq 'Isolate'`)).map((a) => a.id),
    ).toEqual([selective.data.id]);
    expect(await list("status eq 'Pending'")).toHaveLength(2);
    expect(await list(`creationDateTimeUtc ge ${since} and requestor eq '${DEMO.clientId}'`)).toHaveLength(2);
    expect(await list("type eq 'Unisolate'")).toHaveLength(0);
    fake.completeMachineAction(selective.data.id);
    await until(selective.data.id, 'Succeeded');
    expect(fake.getMachine(DEMO.machines.meganLaptop.id)?.isolationState).toBe('Selective');
    expect((await mde().get('/api/machineactions/6b1d3c1e-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('ends scripted actions Failed or TimeOut, or leaves them Pending until completed or cancelled', async () => {
    fake.scriptMachineActions({ outcome: 'Failed' });
    const failed = await mde().post(`/api/machines/${adeleDesktop}/isolate`, { Comment: 'a' });
    expect((await until(failed.data.id, 'Failed')).action.errorHResult).not.toBe(0);
    expect(fake.getMachine(adeleDesktop)?.isolationState).toBe('NotIsolated');

    fake.scriptMachineActions({ outcome: 'TimeOut', machineId: adeleDesktop });
    const timedOut = await mde().post(`/api/machines/${adeleDesktop}/isolate`, { Comment: 'b' });
    await until(timedOut.data.id, 'TimeOut');

    fake.scriptMachineActions({ outcome: 'StayPending', count: 2 });
    const stuck = await mde().post(`/api/machines/${adeleDesktop}/isolate`, { Comment: 'c' });
    const stuck2 = await mde().post(`/api/machines/${DEMO.machines.webServer.id}/isolate`, { Comment: 'd' });
    await new Promise((r) => setTimeout(r, STEP_MS * 3));
    expect((await mde().get(`/api/machineactions/${stuck.data.id}`)).data.status).toBe('Pending');
    expect(fake.completeMachineAction(stuck.data.id, 'Succeeded').status).toBe('Succeeded');
    expect(fake.getMachine(adeleDesktop)?.isolationState).toBe('Full');

    const cancelled = await mde().post(`/api/machineactions/${stuck2.data.id}/cancel`, { Comment: 'wrong machine' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.data).toMatchObject({
      status: 'Cancelled',
      cancellationComment: 'wrong machine',
      cancellationRequestor: DEMO.clientId,
    });
    expect((await mde().post(`/api/machineactions/${stuck2.data.id}/cancel`, { Comment: 'again' })).status).toBe(400);
    expect(fake.getMachine(DEMO.machines.webServer.id)?.isolationState).toBe('NotIsolated');
  });

  it('refuses a missing or foreign token with 401 Unauthorized and a missing permission with 403 Forbidden', async () => {
    const url = `${fake.endpoints.defender}/api/machines`;
    const none = await axios.get(url, { validateStatus: () => true });
    expect(none.status).toBe(401);
    expect(none.data.error).toMatchObject({ code: 'Unauthorized', target: expect.any(String) });
    const graphToken = fake.issueToken({ resource: 'graph', clientId: DEMO.clientId });
    expect(
      (await axios.get(url, { headers: { authorization: `Bearer ${graphToken}` }, validateStatus: () => true })).status,
    ).toBe(401);
    const readOnly = apiClient(fake, 'defender', { roles: ['Machine.Read.All'] });
    expect((await readOnly.get('/api/machines')).status).toBe(200);
    const denied = await readOnly.post(`/api/machines/${adeleDesktop}/isolate`, { Comment: 'x' });
    expect(denied.status).toBe(403);
    expect(denied.data.error.code).toBe('Forbidden');
    expect((await apiClient(fake, 'defender', { roles: ['Machine.Isolate'] }).get('/api/machines')).status).toBe(403);
  });
});
