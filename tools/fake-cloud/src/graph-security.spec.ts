import type { AxiosResponse } from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCloud } from '../../../test/support/fake-cloud.js';
import { DEMO } from './demo-seed.js';
import type { FakeCloud } from './fake-cloud.js';
import { apiClient } from './testing.js';

const at = (minute: number) => new Date(Date.UTC(2030, 10, 20, 9, minute, 0) + 123).toISOString().replace('Z', '4567Z');

describe('graph security: alerts_v2 and incidents', () => {
  let fake: FakeCloud;
  beforeAll(async () => {
    fake = await startFakeCloud();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.seedDemo();
  });

  it('pages 250 alerts with $top=100 into 3 pages through absolute @odata.nextLink URLs', async () => {
    fake.reset();
    fake.addTenant({ id: DEMO.tenantId });
    fake.addApp({ clientId: DEMO.clientId, roles: { graph: ['SecurityAlert.Read.All'] } });
    const added = fake.addAlerts(
      Array.from({ length: 250 }, (_, i) => ({ title: `alert ${i}`, createdDateTime: at(i % 60) })),
    );
    const graph = apiClient(fake, 'graph');
    const pages: string[][] = [];
    let url: string | undefined = '/v1.0/security/alerts_v2?$top=100';
    while (url) {
      const res: AxiosResponse = await graph.get(url);
      expect(res.status).toBe(200);
      expect(res.data['@odata.context']).toBe(`${fake.endpoints.graph}/v1.0/$metadata#security/alerts_v2`);
      pages.push(res.data.value.map((a: { id: string }) => a.id));
      url = res.data['@odata.nextLink'];
      if (url) expect(url.startsWith(`${fake.endpoints.graph}/v1.0/security/alerts_v2?`)).toBe(true);
    }
    expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
    expect(pages.flat()).toEqual(added.map((a) => a.id));
  });

  it('filters on lastUpdateDateTime (ge/gt/lt at 100 ns precision) joined with enums, and orders by date', async () => {
    fake.addAlerts([
      { id: 'a_-1', lastUpdateDateTime: at(1), severity: 'high' },
      { id: 'a_-2', lastUpdateDateTime: at(2), severity: 'low' },
      { id: 'a_-3', lastUpdateDateTime: at(3), severity: 'high', status: 'resolved' },
    ]);
    const graph = apiClient(fake, 'graph');
    const ids = async (query: string) => {
      const res = await graph.get(`/v1.0/security/alerts_v2?${query}`);
      expect(res.status, JSON.stringify(res.data)).toBe(200);
      return res.data.value.map((a: { id: string }) => a.id);
    };
    expect(await ids(`$filter=lastUpdateDateTime ge ${at(2)}`)).toEqual(['a_-2', 'a_-3']);
    expect(await ids(`$filter=lastUpdateDateTime gt ${at(2)}`)).toEqual(['a_-3']);
    expect(
      await ids(`$filter=lastUpdateDateTime ge 2030-11-20T09:01:00Z and lastUpdateDateTime lt 2030-11-20T09:03:00Z`),
    ).toEqual(['a_-1', 'a_-2']);
    expect(
      await ids(
        `$filter=${encodeURIComponent("severity eq 'high' and status ne 'resolved' and createdDateTime ge 2020-01-01T00:00:00Z")}`,
      ),
    ).toEqual(expect.arrayContaining(['a_-1', DEMO.alerts.powershell]));
    expect(await ids(`$filter=lastUpdateDateTime ge ${at(1)}&$orderby=lastUpdateDateTime desc`)).toEqual([
      'a_-3',
      'a_-2',
      'a_-1',
    ]);
    expect(await ids(`$filter=lastUpdateDateTime ge ${at(1)}&$orderby=lastUpdateDateTime desc&$top=1&$skip=1`)).toEqual(
      ['a_-2'],
    );

    const unsupported = await graph.get(`/v1.0/security/alerts_v2?$filter=title eq 'x'`);
    expect(unsupported.status).toBe(400);
    expect(unsupported.data.error.code).toBe('BadRequest');
    expect((await graph.get(`/v1.0/security/alerts_v2?$filter=severity eq`)).status).toBe(400);
  });

  it('gets an alert by its opaque id, with all alerts_v2 fields and evidence', async () => {
    const res = await apiClient(fake, 'graph').get(
      `/v1.0/security/alerts_v2/${encodeURIComponent(DEMO.alerts.powershell)}`,
    );
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      '@odata.type': '#microsoft.graph.security.alert',
      id: DEMO.alerts.powershell,
      providerAlertId: DEMO.alerts.powershell,
      incidentId: DEMO.incidents.adeleCompromise,
      tenantId: DEMO.tenantId,
      status: 'new',
      severity: 'high',
      classification: 'unknown',
      determination: 'unknown',
      serviceSource: 'microsoftDefenderForEndpoint',
      comments: [],
    });
    const types = res.data.evidence.map((e: { '@odata.type': string }) => e['@odata.type']);
    expect(types).toEqual([
      '#microsoft.graph.security.deviceEvidence',
      '#microsoft.graph.security.userEvidence',
      '#microsoft.graph.security.processEvidence',
    ]);
    expect(res.data.evidence[0]).toMatchObject({
      mdeDeviceId: DEMO.machines.adeleDesktop.id,
      deviceDnsName: DEMO.machines.adeleDesktop.dnsName,
    });
    expect((await apiClient(fake, 'graph').get('/v1.0/security/alerts_v2/da000_-1')).data.error.code).toBe(
      'Request_ResourceNotFound',
    );
  });

  it('updates an alert with PATCH → 200 and the whole alert, bumping lastUpdateDateTime', async () => {
    const graph = apiClient(fake, 'graph');
    const path = `/v1.0/security/alerts_v2/${DEMO.alerts.powershell}`;
    const before = fake.getAlert(DEMO.alerts.powershell)!.lastUpdateDateTime;
    const res = await graph.patch(path, {
      status: 'inProgress',
      classification: 'truePositive',
      determination: 'malware',
      assignedTo: 'secAdmin@contoso.onmicrosoft.com',
    });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      id: DEMO.alerts.powershell,
      status: 'inProgress',
      classification: 'truePositive',
      determination: 'malware',
      assignedTo: 'secAdmin@contoso.onmicrosoft.com',
      title: 'Suspicious PowerShell command line',
    });
    expect(res.data.lastUpdateDateTime > before).toBe(true);
    expect(res.data.evidence).toHaveLength(3);
    expect((await graph.patch(path, { status: 'closed' })).status).toBe(400);
    expect((await graph.patch(path, { comment: 'no such field' })).status).toBe(400);
    const resolved = await graph.patch(path, { status: 'resolved' });
    expect(resolved.data.resolvedDateTime).toBe(resolved.data.lastUpdateDateTime);
    const readOnly = apiClient(fake, 'graph', { roles: ['SecurityAlert.Read.All'] });
    expect((await readOnly.get(path)).status).toBe(200);
    expect((await readOnly.patch(path, { status: 'new' })).status).toBe(403);
  });

  it('adds comments with POST → 200 and every comment', async () => {
    const graph = apiClient(fake, 'graph');
    const path = `/v1.0/security/alerts_v2/${DEMO.alerts.phishing}/comments`;
    await graph.post(path, { '@odata.type': 'microsoft.graph.security.alertComment', comment: 'first' });
    const res = await graph.post(path, {
      '@odata.type': 'microsoft.graph.security.alertComment',
      comment: 'Riposte disabled the user',
    });
    expect(res.status).toBe(200);
    expect(res.data['@odata.context']).toBe(
      `${fake.endpoints.graph}/v1.0/$metadata#security/alerts_v2('${DEMO.alerts.phishing}')/comments`,
    );
    expect(res.data.value).toEqual([
      { comment: 'first', createdByDisplayName: DEMO.appName, createdDateTime: expect.stringMatching(/\.\d{7}Z$/) },
      { comment: 'Riposte disabled the user', createdByDisplayName: DEMO.appName, createdDateTime: expect.any(String) },
    ]);
    expect((await graph.post(path, {})).status).toBe(400);
  });

  it('lists incidents, with their alerts on $expand=alerts', async () => {
    const graph = apiClient(fake, 'graph');
    const plain = await graph.get('/v1.0/security/incidents');
    expect(plain.data.value.map((i: { id: string }) => i.id)).toEqual([
      DEMO.incidents.adeleCompromise,
      DEMO.incidents.meganSignIn,
    ]);
    expect(plain.data.value[0].alerts).toBeUndefined();
    const expanded = await graph.get(`/v1.0/security/incidents?$expand=alerts&$filter=severity eq 'high'`);
    expect(expanded.data.value).toHaveLength(1);
    expect(expanded.data.value[0].alerts.map((a: { id: string }) => a.id).sort()).toEqual(
      [DEMO.alerts.phishing, DEMO.alerts.powershell].sort(),
    );
    expect(
      (await apiClient(fake, 'graph', { roles: ['SecurityAlert.Read.All'] }).get('/v1.0/security/incidents')).status,
    ).toBe(403);
  });

  it('answers the retired legacy alerts API with an empty list', async () => {
    const res = await apiClient(fake, 'graph').get('/v1.0/security/alerts');
    expect(res.status).toBe(200);
    expect(res.data.value).toEqual([]);
  });

  it('hides evolvable enum members unless the client sends Prefer: include-unknown-enum-members', async () => {
    fake.addAlert({
      id: 'mdc_-1',
      serviceSource: 'microsoftDefenderForCloud',
      detectionSource: 'microsoftDefenderForServers',
    });
    const graph = apiClient(fake, 'graph');
    expect((await graph.get('/v1.0/security/alerts_v2/mdc_-1')).data).toMatchObject({
      serviceSource: 'unknownFutureValue',
      detectionSource: 'unknownFutureValue',
    });
    const opted = await graph.get('/v1.0/security/alerts_v2/mdc_-1', {
      headers: { Prefer: 'include-unknown-enum-members' },
    });
    expect(opted.data).toMatchObject({
      serviceSource: 'microsoftDefenderForCloud',
      detectionSource: 'microsoftDefenderForServers',
    });
  });
});
