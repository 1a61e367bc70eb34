import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/** What a newcomer does after `npm run demo`: copy the printed curl lines and run them. */
const DEMO = fileURLToPath(new URL('../../dist/apps/demo/src/main.js', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'riposte-demo-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe('npm run demo', () => {
  it('starts the service and a fake cloud, and its curl lines disable a user and isolate a machine', async () => {
    const port = await freePort();
    const { NODE_EXTRA_CA_CERTS: _ca, RIPOSTE_ADMIN_KEY: _key, ...env } = process.env;
    const demo = spawn(process.execPath, [DEMO], {
      env: { ...env, PORT: String(port), RIPOSTE_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stdout.on('data', (c: Buffer) => (output += c.toString()));
    demo.stderr.on('data', (c: Buffer) => (output += c.toString()));
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes('Press Ctrl-C')) {
        if (demo.exitCode !== null || Date.now() > deadline) throw new Error(`demo did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const curls = output
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('curl '));
      const disable = curls.find((l) => l.includes('azure_ad.disable_user') && !l.includes('dryRun')) as string;
      const isolate = curls.find((l) => l.includes('defender.isolate_machine')) as string;
      const bash = promisify(execFile);
      const disabled = JSON.parse((await bash('bash', ['-c', disable])).stdout);
      expect(disabled).toMatchObject({
        status: 'succeeded',
        steps: [{ action: 'azure_ad.disable_user', status: 'succeeded' }],
      });
      const isolated = JSON.parse((await bash('bash', ['-c', isolate])).stdout);
      expect(isolated).toMatchObject({
        status: 'succeeded',
        steps: [{ action: 'defender.isolate_machine', status: 'succeeded', output: { status: 'Succeeded' } }],
      });
      const test = curls.find((l) => l.includes('/test')) as string;
      expect(JSON.parse((await bash('bash', ['-c', test])).stdout).ok).toBe(true);
    } finally {
      demo.kill('SIGINT');
      await once(demo, 'exit');
    }
    // The service went down with the demo.
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
