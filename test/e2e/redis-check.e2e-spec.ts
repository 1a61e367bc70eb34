import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_STORE } from '../support/database.js';
import { spawnService } from '../support/service-process.js';
import { startService } from '../support/service.js';

/*
 * With RIPOSTE_REDIS_URL set, the service refuses to start on a Redis that may evict keys (a
 * full one would silently drop queued work), and says what to change. Each case runs a Redis of
 * its own on a free port, with a password the boot message must not show. Redis means queue
 * mode, which needs PostgreSQL: these cases run in the PostgreSQL pass; the SQLite pass checks
 * that Redis beside SQLite is refused.
 */
const PASSWORD = 'redis-test-password-0123456789';
const servers: ChildProcess[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const server of servers) {
    if (server.exitCode === null) {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.end(() => resolve(true)));
    socket.on('error', () => resolve(false));
  });
}

/** A throwaway redis-server (no persistence) with this eviction policy; its URL. */
async function redis(policy: string): Promise<string> {
  const port = await freePort();
  const server = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory',
      '64mb',
      '--maxmemory-policy',
      policy,
      '--requirepass',
      PASSWORD,
    ],
    { stdio: 'ignore' },
  );
  servers.push(server);
  for (const deadline = Date.now() + 10_000; !(await listening(port));) {
    if (server.exitCode !== null || Date.now() > deadline)
      throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return `redis://:${PASSWORD}@127.0.0.1:${port}`;
}

const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'riposte-redis-'));
  dirs.push(dir);
  return dir;
};

describe.runIf(TEST_STORE === 'sqlite')('RIPOSTE_REDIS_URL beside SQLite', () => {
  it('is refused at start, saying that queue mode needs PostgreSQL, without the password', async () => {
    const error = await spawnService({
      RIPOSTE_DATA_DIR: dataDir(),
      RIPOSTE_REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:6379`,
    }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/The service exited during start/);
    expect(error?.message).toMatch(
      /RIPOSTE_REDIS_URL turns on queue mode \(several processes\), which needs PostgreSQL/,
    );
    expect(error?.message).not.toContain(PASSWORD);
  });

  it('and so is a role without queue mode', async () => {
    const error = await spawnService({ RIPOSTE_DATA_DIR: dataDir(), RIPOSTE_ROLE: 'worker' }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/RIPOSTE_ROLE worker \(--role worker\) is for queue mode/);
  });
});

describe.runIf(TEST_STORE === 'postgres')('RIPOSTE_REDIS_URL', () => {
  it('stops the boot on a Redis that may evict keys, saying which policy and what to set, without the password', async () => {
    const url = await redis('allkeys-lru');
    const started = spawnService({ RIPOSTE_DATA_DIR: dataDir(), RIPOSTE_REDIS_URL: url });
    const error = (await started.then(
      () => null,
      (e: unknown) => e as Error,
    )) as Error | null;
    expect(error?.message).toMatch(/The service exited during start/);
    expect(error?.message).toMatch(
      /Riposte failed to start: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ has maxmemory-policy allkeys-lru; Riposte needs noeviction/,
    );
    expect(error?.message).not.toContain(PASSWORD);
  });

  it('starts on a Redis with noeviction', async () => {
    const url = await redis('noeviction');
    const service = await startService({ RIPOSTE_REDIS_URL: url });
    try {
      expect((await service.request('GET', '/health')).status).toBe(200);
    } finally {
      await service.close();
    }
  });

  it('names a Redis it cannot reach, and a wrong password, without showing it', async () => {
    const nobody = await freePort();
    await expect(startService({ RIPOSTE_REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:${nobody}` })).rejects.toThrow(
      /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/? cannot be used: .*ECONNREFUSED/,
    );
    const url = await redis('noeviction');
    const wrong = url.replace(PASSWORD, 'not-the-password');
    const refused = await startService({ RIPOSTE_REDIS_URL: wrong }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(refused?.message).toMatch(/cannot be used: .*(WRONGPASS|invalid password)/i);
    expect(refused?.message).not.toContain('not-the-password');
  });
});
