import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientCertificate, createClientCertificate, DEMO } from '@riposte/fake-cloud';
import { storedText } from '../support/database.js';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { type ServiceProcess, spawnService } from '../support/service-process.js';
import { ADMIN_KEY, demoTarget } from '../support/service.js';

/*
 * No secret may leak, whichever way a token request fails. Extends test/e2e/secrets.e2e-spec.ts
 * (wrong secret, 500, reset) to a throttled token endpoint (429), an unknown application
 * (AADSTS700016), a token endpoint that answers 500 with an echo of the request, and a client
 * certificate target whose private key and signed client assertions must stay inside. The
 * service runs as a real process at LOG_LEVEL=trace; afterwards its whole output, every answer it
 * gave and its SQLite files are searched for every secret it was handed.
 */
const SECRETS = {
  throttled: 'Thr0~ttledSecretValueMustNotLeak000001',
  serverError: 'Serv~erErrorSecretValueMustNotLeak0002',
  unknownApp: 'Unkn~ownAppSecretValueMustNotLeak00003',
  echoed: 'Ech0~edBackSecretValueMustNotLeak00004',
  rotatedAway: 'R0tat~edAwaySecretValueMustNotLeak0005',
};
const UNKNOWN_CLIENT_ID = '0b8e6a52-7c1d-4e3f-9a2b-5c6d7e8f9a01';
const CERT_CLIENT_ID = '7d3c2b1a-0f9e-4d8c-b7a6-958473625140';
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./;
const BEARER = /Bearer\s+(?!\[REDACTED\])[A-Za-z0-9\-._~+/]{8,}/;

let fake: FakeCloud;
let service: ServiceProcess;
let dataDir: string;
let certificate: ClientCertificate;
let failingCertificate: ClientCertificate;
const answers: { what: string; text: string }[] = [];
const createdKeys: string[] = [];

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${ADMIN_KEY}`,
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // text answers (metrics, mermaid)
  }
  answers.push({ what: `${method} ${path}`, text });
  return { status: response.status, body: parsed, text };
}

const respond = (target: string, action = 'azure_ad.get_user') =>
  api('POST', '/api/v1/responses?wait=20', { action, connectionTarget: target, input: { user: DEMO.users.alex.upn } });

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  [certificate, failingCertificate] = await Promise.all([
    createClientCertificate('riposte-sec'),
    createClientCertificate('riposte-sec-unregistered'),
  ]);
  fake.addApp({
    clientId: CERT_CLIENT_ID,
    tenantId: DEMO.tenantId,
    certificateThumbprints: [certificate.thumbprintSha256],
    roles: { graph: ['User.Read.All'] },
  });
  dataDir = mkdtempSync(join(tmpdir(), 'riposte-sec-secrets-'));
  service = await spawnService({
    RIPOSTE_DATA_DIR: dataDir,
    RIPOSTE_PLAYBOOKS_DIR: join(dataDir, 'playbooks'),
    LOG_LEVEL: 'trace',
    RIPOSTE_HTTP_MAX_RETRY_WAIT_SECONDS: '1',
  });
});
afterAll(async () => {
  await service?.kill('SIGKILL');
  await fake?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('secrets after failing token calls', () => {
  it('appear in no answer, log line or database file: 429, 500, unknown app, echoed request, certificate key', async () => {
    const secret = (clientSecret: string) => ({
      type: 'clientSecret',
      clientSecret,
      expiresAt: '2028-11-01T00:00:00Z',
    });
    const create = async (body: object) =>
      expect((await api('POST', '/api/v1/connection-targets', body)).status).toBe(201);
    await create(demoTarget(fake, 'throttled', { auth: secret(SECRETS.throttled) }));
    await create(demoTarget(fake, 'server-error', { auth: secret(SECRETS.serverError) }));
    await create(demoTarget(fake, 'unknown-app', { clientId: UNKNOWN_CLIENT_ID, auth: secret(SECRETS.unknownApp) }));
    await create(demoTarget(fake, 'echoed', { auth: secret(SECRETS.echoed) }));
    await create(demoTarget(fake, 'rotated', { auth: secret(SECRETS.rotatedAway) }));
    await create(
      demoTarget(fake, 'cert', {
        clientId: CERT_CLIENT_ID,
        auth: {
          type: 'clientCertificate',
          certificatePem: certificate.certificatePem,
          privateKeyPem: certificate.privateKeyPem,
        },
      }),
    );
    await create(
      demoTarget(fake, 'cert-unknown', {
        clientId: UNKNOWN_CLIENT_ID,
        auth: {
          type: 'clientCertificate',
          certificatePem: failingCertificate.certificatePem,
          privateKeyPem: failingCertificate.privateKeyPem,
        },
      }),
    );
    for (const role of ['viewer', 'analyst']) {
      const key = await api('POST', '/api/v1/api-keys', { name: `leak-${role}`, role });
      createdKeys.push(key.body.key);
      answers.pop(); // the one answer that shows a key, by design
    }

    // 429 on the token endpoint, every time.
    const throttle = fake.faults.inject({
      service: 'identity',
      method: 'POST',
      path: '/oauth2/v2.0/token',
      preset: 'throttle',
      retryAfter: 0.1,
      times: 'unlimited',
    });
    expect((await respond('throttled')).body.status).toBe('failed');
    expect((await api('POST', '/api/v1/connection-targets/throttled/test')).body.ok).toBe(false);
    throttle.remove();

    // 500 on the token endpoint.
    const broken = fake.faults.inject({
      service: 'identity',
      method: 'POST',
      path: '/oauth2/v2.0/token',
      status: 500,
      times: 'unlimited',
    });
    expect((await respond('server-error', 'azure_ad.disable_user')).body.status).toBe('failed');
    broken.remove();

    // A token endpoint (or a proxy in front of it) that echoes the form it received in its error.
    const echo = fake.faults.inject({
      service: 'identity',
      method: 'POST',
      path: '/oauth2/v2.0/token',
      status: 400,
      times: 'unlimited',
      body: {
        error: 'invalid_request',
        error_description: `AADSTS900144: bad request client_secret=${SECRETS.echoed}&client_id=${DEMO.clientId} Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.`,
        error_codes: [900144],
      },
    });
    expect((await respond('echoed')).body.status).toBe('failed');
    echo.remove();

    // AADSTS700016: no such application (a real answer of the fake, no fault).
    const unknown = await respond('unknown-app');
    expect(unknown.body.status).toBe('failed');
    expect(JSON.stringify(unknown.body.error)).toMatch(/app_not_found|700016/);
    expect((await api('POST', '/api/v1/connection-targets/unknown-app/test')).body.ok).toBe(false);

    // Certificates: one that works (a signed client assertion is sent), one the tenant does not know.
    expect((await respond('cert')).body.status).toBe('succeeded');
    expect((await respond('cert-unknown')).body.status).toBe('failed');
    const certBroken = fake.faults.inject({
      service: 'identity',
      method: 'POST',
      path: '/oauth2/v2.0/token',
      status: 500,
      times: 'unlimited',
    });
    await api('PATCH', '/api/v1/connection-targets/cert', {
      auth: {
        type: 'clientCertificate',
        certificatePem: certificate.certificatePem,
        privateKeyPem: certificate.privateKeyPem,
      },
    });
    expect((await respond('cert')).body.status).toBe('failed');
    certBroken.remove();

    // A secret that was rotated away, after being used.
    await respond('rotated');
    await api('PATCH', '/api/v1/connection-targets/rotated', { auth: secret(DEMO.clientSecret) });

    // Everything a reader can GET.
    const spec = (await api('GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    answers.pop();
    // The live event stream never ends: it carries ids and states only (test/e2e/console.e2e-spec.ts).
    for (const [path, item] of Object.entries(spec.paths))
      if (item.get && !path.includes('{') && !JSON.stringify(item.get).includes('text/event-stream'))
        await api('GET', /\/(runs|audit|alerts)$/.test(path) ? `${path}?limit=500` : path);
    for (const name of ['throttled', 'server-error', 'unknown-app', 'echoed', 'rotated', 'cert', 'cert-unknown'])
      await api('GET', `/api/v1/connection-targets/${name}`);
    const runs = (await api('GET', '/api/v1/runs?limit=500')).body.items as { id: string }[];
    expect(runs.length).toBeGreaterThanOrEqual(8);
    for (const run of runs) await api('GET', `/api/v1/runs/${run.id}`);
    await api('GET', '/metrics');
    await api('GET', '/health');
    await api('GET', '/api/v1/audit?limit=500');

    await service.kill('SIGTERM');
    const files = await storedText(dataDir);
    expect(files.length).toBeGreaterThan(0);
    const log = { what: 'log output', text: service.output() };
    // The failures did happen, and were logged (so the log was worth searching).
    expect(log.text).toMatch(/700016|app_not_found/);
    expect(log.text.length).toBeGreaterThan(10_000);

    const keyBody = (pem: string) =>
      pem
        .split('\n')
        .filter((l) => l && !l.startsWith('-----'))
        .join('');
    const needles: [string, string | RegExp][] = [
      ...Object.entries(SECRETS),
      ['demo secret', DEMO.clientSecret],
      ['admin key', ADMIN_KEY],
      ...createdKeys.map((k, i): [string, string] => [`created key ${i}`, k]),
      ['private key line', certificate.privateKeyPem.split('\n')[2] ?? 'unused'],
      ['unregistered private key line', failingCertificate.privateKeyPem.split('\n')[2] ?? 'unused'],
      ['private key (single line)', keyBody(certificate.privateKeyPem).slice(40, 120)],
      ['PEM private key header', 'PRIVATE KEY-----\n'],
      ['JWT', JWT],
      ['Bearer token', BEARER],
      ['client_assertion value', /client_assertion=(?!\[REDACTED\])[A-Za-z0-9]/],
      ['client_secret value', /client_secret=(?!\[REDACTED\])[A-Za-z0-9]/],
    ];
    const leaks: string[] = [];
    for (const source of [log, ...answers, ...files]) {
      for (const [name, needle] of needles) {
        const found = typeof needle === 'string' ? source.text.includes(needle) : needle.test(source.text);
        if (found) {
          const at = typeof needle === 'string' ? source.text.indexOf(needle) : (needle.exec(source.text)?.index ?? 0);
          leaks.push(
            `${name} in ${source.what}: …${source.text.slice(Math.max(0, at - 80), at + 40).replace(/\s+/g, ' ')}…`,
          );
        }
      }
    }
    expect(leaks).toEqual([]);
  });
});
