import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * The demo and the CLI do not trip over each other: a second demo never wipes the first one's
 * data nor leaves a process behind; the CLI says which database it uses; a start that fails
 * never shows an admin key as "shown once".
 */
const DEMO_MAIN = fileURLToPath(new URL('../../dist/apps/demo/src/main.js', import.meta.url));
const SERVICE_MAIN = fileURLToPath(new URL('../../dist/apps/api/src/main.js', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/apps/api/src/cli.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'riposte-demo-'));
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function start(
  main: string,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RIPOSTE_')));
  const child = spawn(process.execPath, [main], {
    env: { ...clean, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output, exited: once(child, 'exit').then(([code]) => code as number | null) };
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Processes of this user whose environment names the folder (a service left behind would). */
function processesUsing(dir: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`RIPOSTE_DATA_DIR=${dir}`))
        found.push(Number(pid));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

describe('the demo', () => {
  it('a second demo on the same folder or port refuses, keeps the first one and its data, and leaves no process', async () => {
    const dir = join(root, 'demo');
    const port = String(await freePort());
    const first = start(DEMO_MAIN, { RIPOSTE_DATA_DIR: dir, PORT: port });
    await until(
      () => first.output().includes('Press Ctrl-C to stop.') || first.child.exitCode !== null,
      'the first demo',
    );
    expect(first.output()).toMatch(
      /Alert-fired automation: this demo turned it ON for the playbook "compromised-account"/,
    );
    expect(first.output()).toContain(`RIPOSTE_DATA_DIR=${dir} npm run cli`);
    expect(existsSync(join(dir, 'riposte.sqlite'))).toBe(true);

    const same = start(DEMO_MAIN, { RIPOSTE_DATA_DIR: dir, PORT: String(await freePort()) });
    expect(await same.exited).toBe(1);
    expect(same.output()).toMatch(/A demo is already running \(pid \d+\) on .*demo/);
    const other = join(root, 'demo2');
    const samePort = start(DEMO_MAIN, { RIPOSTE_DATA_DIR: other, PORT: port });
    expect(await samePort.exited).toBe(1);
    expect(samePort.output()).toMatch(new RegExp(`Port ${port} is in use`));
    expect(processesUsing(other)).toEqual([]);

    // The first demo and its data are untouched.
    expect(existsSync(join(dir, 'riposte.sqlite'))).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    await until(() => processesUsing(dir).length === 0, 'the demo service to stop', 15_000);
    expect(existsSync(`${dir}.demo.pid`)).toBe(false);
  }, 120_000);
});

describe('starting the service', () => {
  it('a start that fails shows no admin key; the next one shows it once, and it works', async () => {
    const dir = join(root, 'service');
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const busy = String((blocker.address() as { port: number }).port);
    try {
      const failed = start(SERVICE_MAIN, { RIPOSTE_DATA_DIR: dir, PORT: busy, HOST: '127.0.0.1' });
      expect(await failed.exited).not.toBe(0);
      expect(failed.output()).not.toMatch(/shown once|rip_[A-Za-z0-9]{20}/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    const ok = start(SERVICE_MAIN, { RIPOSTE_DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1' });
    await until(
      () => /Riposte is listening on http:\/\/127\.0\.0\.1:\d+/.test(ok.output()) || ok.child.exitCode !== null,
      'the service',
    );
    const key = /admin API key \(shown once\): (rip_\S+)/.exec(ok.output())?.[1];
    expect(key).toBeDefined();
    const url = /Riposte is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(ok.output())?.[1];
    expect(ok.output()).toContain(`data folder ${dir}`);
    expect((await fetch(`${url}/api/v1/runs`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);

    // The CLI says which database it uses, and that a folder without one is not the service's.
    const cli = promisify(execFile);
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RIPOSTE_')));
    const listed = await cli(process.execPath, [CLI, 'api-keys', 'list'], { env: { ...clean, RIPOSTE_DATA_DIR: dir } });
    expect(listed.stderr).toContain(`Using ${join(dir, 'riposte.sqlite')}`);
    expect(listed.stdout).toMatch(/admin .* first admin/);
    const elsewhere = await cli(process.execPath, [CLI, 'api-keys', 'list'], {
      env: { ...clean, RIPOSTE_DATA_DIR: join(root, 'empty') },
    });
    expect(elsewhere.stderr).toMatch(/no database there yet.*set RIPOSTE_DATA_DIR/);
    ok.child.kill('SIGTERM');
    await ok.exited;
  }, 120_000);
});
