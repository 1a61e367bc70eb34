import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startService, type TestService } from '../support/service.js';
import { type ServiceProcess, spawnService } from '../support/service-process.js';

/*
 * Uploaded playbook text is checked in a worker thread: while the largest playbook the service
 * accepts is validated, uploaded or rehearsed, /health keeps answering, and the worker's errors
 * keep their file, line and column. Both ways the worker is found: the service in this process
 * (sources under Vitest, the worker from the build) and the built service as a child process.
 */

/** 500 steps padded with comments to just under the 256 KB bound (the bench's `stall` playbook). */
function largest(id: string): string {
  const step = (i: number, pad: string) =>
    `  # ${pad}\n  - id: s${i}\n    action: azure_ad.get_user\n    with: { user: "\${{ inputs.user }}" }\n`;
  const text = (pad: string) =>
    `id: ${id}\nname: Largest\ninputs:\n  user: { type: string }\nsteps:\n${Array.from({ length: 500 }, (_, i) => step(i, pad)).join('')}`;
  const bare = Buffer.byteLength(text(''));
  return text('x'.repeat(Math.floor((255 * 1024 - bare) / 500) - 1));
}

async function send(url: string, method: string, path: string, body: string, type = 'application/yaml') {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': type },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** Sends the request and asks /health one after another until it is answered: the answers that came first. */
async function healthWhile(url: string, request: () => ReturnType<typeof send>) {
  let answered = false;
  const pending = request().finally(() => (answered = true));
  let before = 0;
  while (!answered) {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    if (!answered) before += 1;
  }
  return { answer: await pending, healthAnsweredMeanwhile: before };
}

const withError =
  'id: broken\nname: Broken\nsteps:\n  - id: first\n    action: core.noop\n  - id: second\n    action: azure_ad.disable_usr\n';

function suite(start: () => Promise<{ url: string; close: () => Promise<void> }>) {
  let url: string;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ url, close } = await start());
  }, 90_000);
  afterAll(async () => close?.());

  it('keeps /health answering while the largest accepted playbook is validated, uploaded and rehearsed', async () => {
    const text = largest('largest');
    expect(Buffer.byteLength(text)).toBeGreaterThan(254 * 1024);
    expect(Buffer.byteLength(text)).toBeLessThan(256 * 1024);

    // Each /health answer is a turn of the event loop: several while one request is checked
    // means the check did not hold the loop (a check on the loop allows one, queued behind it).
    const validated = await healthWhile(url, () => send(url, 'POST', '/api/v1/playbooks/validate', text));
    expect(validated.answer.status).toBe(200);
    expect(validated.answer.body).toMatchObject({ valid: true, id: 'largest', errors: [] });
    expect(validated.healthAnsweredMeanwhile).toBeGreaterThanOrEqual(5);

    const uploaded = await healthWhile(url, () => send(url, 'PUT', '/api/v1/playbooks/largest', text));
    expect(uploaded.answer.status).toBe(201);
    expect(uploaded.answer.body).toMatchObject({ id: 'largest', version: 1, changed: true });
    expect(uploaded.healthAnsweredMeanwhile).toBeGreaterThanOrEqual(5);

    const rehearsal =
      'playbook: largest\ncases:\n  - name: all read\n    inputs: { user: a@b.c }\n    expect: { status: succeeded }\n';
    const rehearsed = await healthWhile(url, () =>
      send(
        url,
        'POST',
        '/api/v1/playbooks/rehearse',
        JSON.stringify({ playbook: text, rehearsal }),
        'application/json',
      ),
    );
    expect(rehearsed.answer.status).toBe(200);
    expect(rehearsed.answer.body).toMatchObject({ playbook: 'largest', passed: 1, failed: 0 });
    expect(rehearsed.healthAnsweredMeanwhile).toBeGreaterThanOrEqual(5);

    // What was stored reads back whole: its steps listed, its machine compiled for the graph.
    const stored = await fetch(`${url}/api/v1/playbooks/largest`, {
      headers: { Authorization: `Bearer ${ADMIN_KEY}` },
    });
    const body = (await stored.json()) as { steps: { id: string; kind: string; action?: string }[] };
    expect(body.steps).toHaveLength(500);
    expect(body.steps[499]).toEqual({ id: 's499', kind: 'action', action: 'azure_ad.get_user' });
    const graph = await fetch(`${url}/api/v1/playbooks/largest/graph`, {
      headers: { Authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(await graph.text()).toContain('s499');
  }, 90_000); // three checks of 255 KB, a rehearsal of 500 steps and a first compile, on a shared machine

  it("keeps the worker's errors with file, line and column", async () => {
    const validated = await send(url, 'POST', '/api/v1/playbooks/validate', withError);
    expect(validated.status).toBe(200);
    expect(validated.body.valid).toBe(false);
    expect(validated.body.errors[0]).toMatchObject({
      file: 'playbook.yaml',
      line: 7,
      column: 13,
      path: '/steps/1/action',
    });
    expect(validated.body.errors[0].message).toMatch(/azure_ad\.disable_user/);

    const uploaded = await send(url, 'PUT', '/api/v1/playbooks/broken', withError);
    expect(uploaded.status).toBe(422);
    expect(uploaded.body).toMatchObject({ code: 'invalid_playbook' });
    expect(uploaded.body.errors[0]).toMatchObject({
      file: 'broken.yaml',
      line: 7,
      column: 13,
      path: '/steps/1/action',
    });

    const yamlError = await send(url, 'POST', '/api/v1/playbooks/validate', 'id: x\nname: [unclosed\nsteps: []\n');
    expect(yamlError.body.valid).toBe(false);
    expect(yamlError.body.errors[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });

    const rehearsed = await send(
      url,
      'POST',
      '/api/v1/playbooks/rehearse',
      JSON.stringify({ playbook: withError, rehearsal: 'playbook: broken\ncases: []\n' }),
      'application/json',
    );
    expect(rehearsed.status).toBe(422);
    expect(rehearsed.body.errors[0]).toMatchObject({ line: 7, column: 13, path: '/steps/1/action' });
  });
}

describe('in this process (the worker from the build)', () => {
  suite(async () => {
    const service: TestService = await startService();
    return { url: service.url, close: () => service.close() };
  });
});

describe('the built service', () => {
  suite(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'riposte-e2e-worker-'));
    // A generous start: on a busy machine a cold Node process takes a while to load the service.
    const child: ServiceProcess = await spawnService({ RIPOSTE_DATA_DIR: dataDir }, 60_000);
    return {
      url: child.url,
      close: async () => {
        // Stops on SIGTERM (its worker closed with it; a worker left running would hold it here).
        await child.kill('SIGTERM');
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  });
});
