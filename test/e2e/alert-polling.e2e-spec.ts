import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, enableAutomation, startService, type TestService } from '../support/service.js';

/*
 * Polling Microsoft Graph security alerts and incidents against the fake cloud: 250 alerts over
 * three pages, a 429 on page 2, a 403 on incidents, and a restart between polls.
 */
const playbooks = mkdtempSync(join(tmpdir(), 'riposte-poll-playbooks-'));
writeFileSync(
  join(playbooks, 'poll-responder.yaml'),
  `id: poll-responder\nname: Reads the user of high alerts\ninputs:\n  user: { type: string }\ntriggers:\n  - alert: { severity: [high], evidence: [user] }\n    inputs:\n      user: \${{ alert.users[0].userPrincipalName }}\nsteps:\n  - id: read\n    action: azure_ad.get_user\n    with:\n      user: \${{ inputs.user }}\n`,
);
const env = {
  RIPOSTE_PLAYBOOKS_DIR: playbooks,
  RIPOSTE_POLL_COOLDOWN_SECONDS: '1',
  RIPOSTE_POLL_OVERLAP_SECONDS: '60',
};

let fake: FakeCloud;
let dataDir: string | undefined;
let service: TestService;

function seedAlerts(count: number, prefix: string, highEvery = 25): void {
  const now = Date.now();
  fake.addAlerts(
    Array.from({ length: count }, (_, i) => {
      const at = new Date(now - (count - i) * 5_000).toISOString();
      const high = i % highEvery === 0;
      return {
        id: `${prefix}-${i}`,
        title: `Poll test ${prefix} ${i}`,
        severity: high ? 'high' : 'low',
        createdDateTime: at,
        lastUpdateDateTime: at,
        evidence: high
          ? [
              {
                '@odata.type': '#microsoft.graph.security.userEvidence',
                roles: ['compromised'],
                userAccount: { userPrincipalName: DEMO.users.megan.upn },
              },
            ]
          : [],
      };
    }),
  );
}

async function alertsStored(): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const { body }: { body: { items: { providerAlertId: string }[]; nextCursor: string | null } } =
      await service.request('GET', `/api/v1/alerts?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    ids.push(...body.items.map((a) => a.providerAlertId));
    cursor = body.nextCursor;
  } while (cursor);
  return ids;
}

const connector = async (feed: string) =>
  (await service.request('GET', '/api/v1/connectors')).body.items.find(
    (c: { connectionTarget: string; feed: string }) => c.connectionTarget === 'contoso' && c.feed === feed,
  );

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  seedAlerts(250, 'p');
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
  rmSync(playbooks, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('polling Graph security alerts', () => {
  it('cools a feed down on a 429 in the middle of paging, then fetches the 250 alerts over 3 pages with nothing missed or doubled', async () => {
    service = await startService(env);
    dataDir = service.dataDir;
    await enableAutomation(service, 'poll-responder');
    expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
    const before = fake.lastRequestSeq;
    fake.faults.inject({
      service: 'graph',
      method: 'GET',
      path: '/security/alerts_v2',
      nth: 2,
      preset: 'throttle',
      retryAfter: 0.5,
    });

    expect(
      (
        await service.request('PUT', '/api/v1/connectors/contoso/alerts', {
          body: { enabled: true, intervalSeconds: 3600 },
        })
      ).status,
    ).toBe(200);
    const throttled = (await service.request('POST', '/api/v1/connectors/contoso/alerts/poll')).body;
    expect(throttled).toMatchObject({
      status: 'throttled',
      fetched: 100,
      watermark: null,
      message: expect.stringMatching(/throttling.*rests until/),
    });
    expect(await connector('incidents')).toMatchObject({ enabled: false, status: 'idle' });

    await new Promise((r) => setTimeout(r, 1100));
    const done = (await service.request('POST', '/api/v1/connectors/contoso/alerts/poll')).body;
    // The demo tenant holds 3 alerts of its own besides the 250.
    expect(done).toMatchObject({
      status: 'ok',
      fetched: 253,
      message: null,
      watermark: expect.any(String),
      lastSuccessAt: expect.any(String),
    });
    const pages = fake.requests({ service: 'graph', method: 'GET', path: '/security/alerts_v2', afterSeq: before });
    expect(pages.map((p) => p.status)).toEqual([200, 429, 200, 200, 200]);
    expect(pages[0]?.query.$filter).toMatch(/^lastUpdateDateTime ge /);

    const stored = await alertsStored();
    expect(stored.filter((id) => id.startsWith('p-'))).toHaveLength(250);
    expect(stored).toHaveLength(253);
    expect(new Set(stored).size).toBe(253);
    const runs = (await service.request('GET', '/api/v1/runs?playbook=poll-responder&limit=500')).body.items.filter(
      (r: { input: { inputs: { user: string } } }) => r.input.inputs.user === DEMO.users.megan.upn,
    );
    expect(runs).toHaveLength(10);
    expect(
      runs.every(
        (r: { trigger: { type: string }; connectionTarget: string }) =>
          r.trigger.type === 'alert' && r.connectionTarget === 'contoso',
      ),
    ).toBe(true);
  });

  it('reports a 403 on incidents, naming the permission, while alerts keep flowing', async () => {
    fake.faults.inject({
      service: 'graph',
      method: 'GET',
      path: '/security/incidents',
      preset: 'forbidden',
      times: 'unlimited',
    });
    await service.request('PUT', '/api/v1/connectors/contoso/incidents', { body: { enabled: true } });
    const incidents = (await service.request('POST', '/api/v1/connectors/contoso/incidents/poll')).body;
    expect(incidents).toMatchObject({
      status: 'forbidden',
      message: expect.stringMatching(/SecurityIncident\.Read\.All/),
    });

    seedAlerts(3, 'q', 1);
    const alerts = (await service.request('POST', '/api/v1/connectors/contoso/alerts/poll')).body;
    expect(alerts.status).toBe('ok');
    expect((await alertsStored()).filter((id) => id.startsWith('q-'))).toHaveLength(3);
    fake.faults.clear();
  });

  it('picks up where it was after a restart: no gap, no duplicate', async () => {
    await service.close({ keepData: true });
    seedAlerts(5, 'r', 100);
    service = await startService(env, dataDir);
    // The poller starts on its own a second after boot; asking for a poll joins it.
    const polled = (await service.request('POST', '/api/v1/connectors/contoso/alerts/poll')).body;
    expect(polled.status).toBe('ok');
    const stored = await alertsStored();
    expect(stored.filter((id) => id.startsWith('r-'))).toHaveLength(5);
    expect(stored).toHaveLength(253 + 3 + 5);
    expect(new Set(stored).size).toBe(stored.length);
    const runs = (await service.request('GET', '/api/v1/runs?playbook=poll-responder&limit=500')).body.items.filter(
      (r: { input: { inputs: { user: string } } }) => r.input.inputs.user === DEMO.users.megan.upn,
    );
    // 10 from the first 250, 3 from the q alerts (all high), 1 from the r alerts (the first of five).
    expect(runs).toHaveLength(14);
  });
});
