import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { ensureConsoleBuilt } from '../support/console-build.js';
import { startFakeCloud, type FakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService } from '../support/service.js';

/** Reads server-sent events until `until` says stop; returns them. */
async function readEvents(
  url: string,
  key: string,
  until: (events: { type: string; data: any }[]) => boolean,
  signal: AbortSignal,
) {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${key}` }, signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: { type: string; data: any }[] = [];
  let buffer = '';
  while (!until(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const type = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (type && data) events.push({ type, data: JSON.parse(data) });
    }
  }
  await reader.cancel();
  return events;
}

describe('the web console, served by the service', () => {
  let fake: FakeCloud;
  let service: TestService;
  let viewer: string;
  let ingest: string;
  beforeAll(async () => {
    ensureConsoleBuilt();
    fake = await startFakeCloud();
    fake.seedDemo();
    service = await startService();
    expect((await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) })).status).toBe(201);
    viewer = (await service.request('POST', '/api/v1/api-keys', { body: { name: 'console-viewer', role: 'viewer' } }))
      .body.key;
    ingest = (await service.request('POST', '/api/v1/api-keys', { body: { name: 'console-ingest', role: 'ingest' } }))
      .body.key;
  }, 180_000);
  afterAll(async () => {
    await service?.close();
    await fake?.close();
  });

  it('serves the page at / and at any console path, with a strict content security policy', async () => {
    for (const path of ['/', '/runs', '/runs/4b1f3c2e-0000-4000-8000-000000000000', '/playbooks/new']) {
      const page = await service.request('GET', path, { key: null });
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toContain('<div id="root">');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
    const script = /src="(\/assets\/[^"]+\.js)"/.exec((await service.request('GET', '/', { key: null })).text)![1]!;
    const asset = await service.request('GET', script, { key: null });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('never turns an unknown API path into a page', async () => {
    for (const path of ['/api/v1/nothing-here', '/api/v2/runs', '/api', '/health/deep', '/openapi.json/x']) {
      const answer = await service.request('GET', path);
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get('content-type'), path).toMatch(/^application\/problem\+json/);
    }
    const missing = await service.request('GET', '/assets/not-a-file.js', { key: null });
    expect(missing.status).toBe(404);
    // A path that climbs out of the console folder gets the page, not the file.
    const climb = await fetch(`${service.url}/..%2f..%2fpackage.json`);
    expect(await climb.text()).not.toContain('"devDependencies"');
    expect((await service.request('GET', '/openapi.json', { key: null })).body.openapi).toBe('3.1.0');
  });

  it('tells who is signed in', async () => {
    expect((await service.request('GET', '/api/v1/me', { key: viewer })).body).toMatchObject({
      name: 'console-viewer',
      role: 'viewer',
      kind: 'api_key',
    });
    expect((await service.request('GET', '/api/v1/me', { key: null })).status).toBe(401);
  });

  it('tells the sign-in page, without a key, that only API keys are accepted when Entra sign-in is not set up', async () => {
    expect(await service.request('GET', '/api/v1/auth/config', { key: null })).toMatchObject({
      status: 200,
      body: { apiKey: true },
    });
    expect((await service.request('GET', '/api/v1/auth/config', { key: null })).body).not.toHaveProperty('entra');
  });

  it('streams run and step changes to a viewer, and refuses callers without a reading role', async () => {
    expect((await fetch(`${service.url}/api/v1/events`)).status).toBe(401);
    expect(
      (await fetch(`${service.url}/api/v1/events`, { headers: { Authorization: `Bearer ${ingest}` } })).status,
    ).toBe(403);

    const abort = new AbortController();
    let runId = '';
    let started = false;
    const events = readEvents(
      `${service.url}/api/v1/events`,
      viewer,
      (seen) => {
        if (!started && seen.some((e) => e.type === 'ready')) {
          started = true;
          // The feed compares with what it saw at subscribe time: start the run once it has.
          setTimeout(() => {
            void service
              .request('POST', '/api/v1/responses', {
                body: {
                  action: 'azure_ad.disable_user',
                  connectionTarget: 'contoso',
                  input: { user: DEMO.users.adele.upn },
                },
              })
              .then((r) => (runId = r.body.runId));
          }, 1500);
        }
        return seen.some((e) => e.type === 'run' && e.data.runId === runId && e.data.status === 'succeeded');
      },
      abort.signal,
    );
    const seen = await events;
    expect(seen[0]).toMatchObject({ type: 'ready', data: { role: 'viewer' } });
    expect(
      seen.find((e) => e.type === 'run' && e.data.runId === runId && e.data.status === 'succeeded')?.data,
    ).toMatchObject({ kind: 'response' });
    expect(seen.some((e) => e.type === 'step' && e.data.runId === runId)).toBe(true);
    // Ids and states only: nothing of the input travels on the stream.
    expect(JSON.stringify(seen)).not.toContain(DEMO.users.adele.upn);
    abort.abort();

    const changes = await service.request('GET', `/api/v1/changes?run=${runId}`, { key: viewer });
    expect(changes.body.items).toEqual([
      expect.objectContaining({ action: 'azure_ad.disable_user', status: 'succeeded', runId }),
    ]);
  }, 60_000);
});
