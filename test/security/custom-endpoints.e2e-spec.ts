import { mkdtempSync, rmSync } from 'node:fs';
import type { LookupAddress } from 'node:dns';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { guardedLookup, refuseAddress, refuseEndpointUrl } from '../../libs/azure/src/endpoint-policy.js';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService } from '../support/service.js';

/*
 * Custom endpoints make the service send requests, with credentials, to a URL an admin typed:
 * they must never reach cloud metadata or private networks, not by address, not by name, not
 * by redirect. The fake cloud listens on loopback, which is allowed only while
 * RIPOSTE_ALLOW_CUSTOM_ENDPOINTS=true.
 *
 * DNS does not resolve in the test environment, so "a public name that resolves to a private
 * address" cannot be set up for real; the connection-time guard is exercised through real
 * resolution of `localhost` (the hosts file) and `refuseAddress` is checked for the addresses
 * such names would resolve to.
 */
let fake: FakeCloud;
let service: TestService;

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  service = await startService();
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

const FORBIDDEN_ENDPOINTS = [
  'https://169.254.169.254',
  'https://169.254.169.254/metadata/identity/oauth2/token',
  'https://169.254.169.254.',
  'https://2852039166',
  'https://0xa9fea9fe',
  'https://0251.0376.0251.0376',
  'https://[::ffff:169.254.169.254]',
  'https://[fd00:ec2::254]',
  'https://[fe80::1]',
  'https://[64:ff9b::a9fe:a9fe]',
  'https://metadata.google.internal',
  'https://METADATA.GOOGLE.INTERNAL',
  'https://metadata.google.internal:443',
  'https://metadata.google.internal.',
  'https://metadata.azure.com',
  'https://instance-data.ec2.internal',
  'https://instance-data.',
  'https://metadata',
  'https://10.0.0.5',
  'https://10.255.255.254',
  'https://172.16.0.1',
  'https://172.31.255.254',
  'https://192.168.1.1',
  'https://100.64.0.1',
  'https://100.100.100.200',
  'https://[::ffff:10.0.0.1]',
  'https://[fd12:3456::1]',
  'https://0.0.0.0',
  'https://[::]',
  'https://192.0.0.192',
  'https://224.0.0.1',
  'https://255.255.255.255',
  'http://graph.microsoft.com',
  'http://127.0.0.1:8443',
  'https://user:pass@graph.microsoft.com',
  'https://user@graph.microsoft.com',
  'https://graph.microsoft.com?x=1',
  'https://graph.microsoft.com#frag',
  'ftp://graph.microsoft.com',
  'file:///etc/passwd',
  'graph.microsoft.com',
];

describe('custom endpoints that point where they must not', () => {
  it('are refused with 400 naming the field, and nothing is stored', async () => {
    const accepted: string[] = [];
    for (const [i, url] of FORBIDDEN_ENDPOINTS.entries()) {
      for (const field of ['graph', 'authority', 'defender'] as const) {
        const name = `ssrf-${i}-${field}`;
        const response = await service.request('POST', '/api/v1/connection-targets', {
          body: demoTarget(fake, name, { endpoints: { ...fake.endpoints, [field]: url } }),
        });
        if (response.status !== 400) {
          accepted.push(`${field}=${url} -> ${response.status}`);
          continue;
        }
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(
          response.body.errors?.map((e: { path: string }) => e.path),
          url,
        ).toContain(`/endpoints/${field}`);
        expect((await service.request('GET', `/api/v1/connection-targets/${name}`)).status).toBe(404);
      }
    }
    expect(accepted).toEqual([]);
    const list = await service.request('GET', '/api/v1/connection-targets');
    expect(list.body.items.filter((t: { name: string }) => t.name.startsWith('ssrf-'))).toEqual([]);
  });

  it('are refused on PATCH too, and the stored endpoints stay as they were', async () => {
    expect(
      (await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake, 'patch-me') })).status,
    ).toBe(201);
    for (const url of [
      'https://169.254.169.254',
      'https://10.0.0.1',
      'http://graph.microsoft.com',
      'https://metadata.google.internal',
    ]) {
      const response = await service.request('PATCH', '/api/v1/connection-targets/patch-me', {
        body: { endpoints: { ...fake.endpoints, graph: url } },
      });
      expect(response.status, url).toBe(400);
      expect(response.body.errors.map((e: { path: string }) => e.path)).toContain('/endpoints/graph');
    }
    // Switching cloud to custom with a refused endpoint in the same patch.
    expect(
      (
        await service.request('POST', '/api/v1/connection-targets', {
          body: { ...demoTarget(fake, 'public-one'), cloud: 'public', endpoints: undefined },
        })
      ).status,
    ).toBe(201);
    const switched = await service.request('PATCH', '/api/v1/connection-targets/public-one', {
      body: { cloud: 'custom', endpoints: { authority: 'https://169.254.169.254', graph: fake.endpoints.graph } },
    });
    expect(switched.status).toBe(400);
    expect((await service.request('GET', '/api/v1/connection-targets/public-one')).body.cloud).toBe('public');
    const stored = await service.request('GET', '/api/v1/connection-targets/patch-me');
    expect(stored.body.endpoints.graph).toBe(fake.endpoints.graph);
  });

  it('accept the loopback fake cloud while custom endpoints are allowed, and it works', async () => {
    expect(
      (await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake, 'loopback') })).status,
    ).toBe(201);
    const run = await service.request('POST', '/api/v1/responses?wait=10', {
      body: { action: 'azure_ad.get_user', connectionTarget: 'loopback', input: { user: DEMO.users.alex.upn } },
    });
    expect(run.body.status, run.text).toBe('succeeded');
  });
});

describe('with RIPOSTE_ALLOW_CUSTOM_ENDPOINTS=false', () => {
  it('refuses every custom target, loopback included, with 400', async () => {
    const closed = await startService({ RIPOSTE_ALLOW_CUSTOM_ENDPOINTS: 'false' });
    try {
      for (const endpoints of [
        fake.endpoints,
        {
          authority: `https://localhost:${new URL(fake.url).port}`,
          graph: `https://localhost:${new URL(fake.url).port}/graph`,
        },
        { authority: 'https://login.example.org', graph: 'https://graph.example.org' },
      ]) {
        const response = await closed.request('POST', '/api/v1/connection-targets', {
          body: demoTarget(fake, 'custom', { endpoints }),
        });
        expect(response.status).toBe(400);
        expect(response.body.errors.map((e: { path: string }) => e.path)).toContain('/cloud');
        expect((await closed.request('GET', '/api/v1/connection-targets/custom')).status).toBe(404);
      }
    } finally {
      await closed.close();
    }
  });

  it('does not call a loopback custom target stored while they were allowed (by IP or by name)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'riposte-sec-endpoints-'));
    const port = new URL(fake.url).port;
    const byName = {
      authority: `https://localhost:${port}`,
      graph: `https://localhost:${port}/graph`,
      defender: `https://localhost:${port}/defender`,
    };
    try {
      const open = await startService({}, dir);
      expect(
        (await open.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake, 'by-ip') })).status,
      ).toBe(201);
      expect(
        (
          await open.request('POST', '/api/v1/connection-targets', {
            body: demoTarget(fake, 'by-name', { endpoints: byName }),
          })
        ).status,
      ).toBe(201);
      await open.close({ keepData: true });

      const closed = await startService({ RIPOSTE_ALLOW_CUSTOM_ENDPOINTS: 'false' }, dir);
      try {
        for (const target of ['by-name', 'by-ip']) {
          const before = fake.lastRequestSeq;
          const run = await closed.request('POST', '/api/v1/responses?wait=10', {
            body: { action: 'azure_ad.get_user', connectionTarget: target, input: { user: DEMO.users.alex.upn } },
          });
          expect(run.body.status, `${target}: ${run.text}`).toBe('failed');
          expect(fake.requests({ afterSeq: before }), `${target}: requests reached the loopback fake cloud`).toEqual(
            [],
          );
        }
      } finally {
        await closed.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('redirects', () => {
  const getUser = (target: string) =>
    service.request('POST', '/api/v1/responses?wait=10', {
      body: { action: 'azure_ad.get_user', connectionTarget: target, input: { user: DEMO.users.megan.upn } },
    });

  beforeAll(async () => {
    expect(
      (await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake, 'redirects') })).status,
    ).toBe(201);
  });

  it('are not followed: a 302 to the metadata service fails the step', async () => {
    fake.faults.inject({
      service: 'graph',
      method: 'GET',
      path: '/users/',
      status: 302,
      headers: {
        Location: 'https://169.254.169.254/metadata/identity/oauth2/token?resource=https://management.azure.com/',
      },
      body: '',
    });
    const run = await getUser('redirects');
    expect(run.body.status, run.text).toBe('failed');
    expect(run.body.steps[0].status).toBe('failed');
    expect(run.text).not.toContain('169.254.169.254');
    fake.faults.clear();
  });

  it('are not followed: a 302 or 307 to another path is never requested', async () => {
    for (const [i, status] of [302, 307, 308, 301, 303].entries()) {
      const trap = `/graph/v1.0/redirect-trap-${i}`;
      fake.faults.inject({
        service: 'graph',
        method: 'GET',
        path: '/users/',
        status,
        headers: { Location: `${fake.url}${trap}` },
        body: '',
      });
      const run = await getUser('redirects');
      expect(run.body.status, `${status}: ${run.text}`).toBe('failed');
      expect(fake.count({ path: 'redirect-trap' }), `${status} was followed`).toBe(0);
      fake.faults.clear();
    }
  });

  it('on the token endpoint are not followed either', async () => {
    expect(
      (await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake, 'token-redirect') }))
        .status,
    ).toBe(201);
    fake.faults.inject({
      service: 'identity',
      method: 'POST',
      path: '/oauth2/v2.0/token',
      status: 302,
      headers: { Location: `${fake.url}/token-trap` },
      body: '',
      times: 'unlimited',
    });
    const run = await getUser('token-redirect');
    expect(run.body.status, run.text).toBe('failed');
    expect(fake.count({ path: 'token-trap' })).toBe(0);
    fake.faults.clear();
  });

  it('never count as success for a destructive call: a 302 answering PATCH leaves the step failed', async () => {
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(true);
    fake.faults.inject({
      service: 'graph',
      method: 'PATCH',
      path: '/users/',
      status: 302,
      headers: { Location: `${fake.url}/graph/v1.0/patch-trap` },
      body: '',
    });
    const run = await service.request('POST', '/api/v1/responses?wait=10', {
      body: { action: 'azure_ad.disable_user', connectionTarget: 'redirects', input: { user: DEMO.users.adele.upn } },
    });
    fake.faults.clear();
    expect(fake.count({ path: 'patch-trap' })).toBe(0);
    // The user was not disabled, so the run must not say it was.
    expect(fake.getUser(DEMO.users.adele.upn)?.accountEnabled).toBe(true);
    expect(run.body.status, run.text).toBe('failed');
  });
});

describe('the address policy (what names would resolve to)', () => {
  const open = { allowLoopback: true };
  const closed = { allowLoopback: false };

  it('refuses private, link-local, metadata, CGNAT and reserved addresses in both families', () => {
    for (const address of [
      '10.0.0.1',
      '10.255.255.255',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '192.168.255.255',
      '100.64.0.1',
      '100.127.255.255',
      '169.254.169.254',
      '169.254.0.1',
      '0.0.0.0',
      '192.0.0.192',
      '198.18.0.1',
      '224.0.0.251',
      '255.255.255.255',
      'fd00:ec2::254',
      'fc00::1',
      'fe80::1',
      'ff02::1',
      '::',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a9fe:a9fe',
    ]) {
      expect(refuseAddress(address, open), address).not.toBeNull();
    }
  });

  it('refuses loopback unless the policy allows it', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1']) {
      expect(refuseAddress(address, closed), address).not.toBeNull();
      expect(refuseAddress(address, open), address).toBeNull();
    }
  });

  it('accepts public addresses and refuses what is not an address', () => {
    for (const address of ['20.190.151.7', '40.126.32.160', '2603:1006:2000::1', '::ffff:8.8.8.8'])
      expect(refuseAddress(address, closed), address).toBeNull();
    for (const address of ['localhost', '', '169.254.169.254.', 'not-an-ip'])
      expect(refuseAddress(address, open), address).not.toBeNull();
  });

  it('refuses look-alike endpoint URLs whatever the spelling', () => {
    for (const url of FORBIDDEN_ENDPOINTS) expect(refuseEndpointUrl(url, open), url).not.toBeNull();
    expect(refuseEndpointUrl('https://localhost:8443', closed)).not.toBeNull();
    expect(refuseEndpointUrl('https://LOCALHOST:8443', closed)).not.toBeNull();
    expect(refuseEndpointUrl('https://graph.microsoft.us', closed)).toBeNull();
  });

  it('refuses, at connection time, a name that really resolves to a refused address (localhost through the hosts file)', async () => {
    const resolve = (policy: { allowLoopback: boolean }, all: boolean) =>
      new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[] }>((done) =>
        guardedLookup(policy)('localhost', { all }, (error, address) => done({ error, address })),
      );
    for (const all of [false, true]) {
      const refused = await resolve(closed, all);
      expect(refused.error?.code).toBe('ERIPOSTE_ENDPOINT_REFUSED');
      const allowed = await resolve(open, all);
      expect(allowed.error).toBeNull();
      expect(JSON.stringify(allowed.address)).toMatch(/127\.0\.0\.1|::1/);
    }
  });
});
