import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type ServiceProcess, spawnService } from './service-process.js';

/** The shared Redis of the machine (noeviction); each cluster test keeps to keys under a prefix of its own. */
export const TEST_REDIS_URL = process.env.RIPOSTE_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

export interface TestCluster {
  dataDir: string;
  prefix: string;
  env: Record<string, string>;
  start(role: 'api' | 'worker' | 'all', env?: Record<string, string>): Promise<ServiceProcess>;
  /** Every process started and still running. */
  processes: ServiceProcess[];
  /** SIGKILLs what is left and deletes the prefix's Redis keys. */
  close(): Promise<void>;
}

/**
 * Processes of one queue-mode cluster (built service, child processes): one PostgreSQL schema
 * (the data folder's), one Redis key prefix, one encryption key shared by all, as the README's
 * "Running a cluster" says.
 */
export function testCluster(name: string, redisUrl = TEST_REDIS_URL): TestCluster {
  const dataDir = mkdtempSync(join(tmpdir(), `riposte-${name}-`));
  const prefix = `riposte-test-${process.env.RIPOSTE_TEST_RUN_ID ?? 'x'}-${name}-${randomBytes(3).toString('hex')}`;
  const env = {
    RIPOSTE_DATA_DIR: dataDir,
    RIPOSTE_REDIS_URL: redisUrl,
    RIPOSTE_REDIS_PREFIX: prefix,
    RIPOSTE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // No shipped playbook: only what a test puts there fires.
    RIPOSTE_PLAYBOOKS_DIR: mkdtempSync(join(tmpdir(), `riposte-${name}-playbooks-`)),
  };
  const processes: ServiceProcess[] = [];
  return {
    dataDir,
    prefix,
    env,
    processes,
    async start(role, extra = {}) {
      const service = await spawnService({ ...env, RIPOSTE_ROLE: role, ...extra }, 60_000);
      processes.push(service);
      return service;
    },
    async close() {
      for (const p of processes.splice(0)) await p.kill('SIGKILL');
      await deleteKeys(redisUrl, prefix);
    },
  };
}

/** Deletes every key under `prefix:` (SCAN, never KEYS: the Redis is shared). */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export interface TestRedis {
  url: string;
  /** SIGKILLs it and starts it again on the same port, empty (it keeps nothing on disk). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function answers(port: number): Promise<boolean> {
  const redis = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** A redis-server of the test's own on a free 127.0.0.1 port: noeviction, no persistence (a restart loses every key). */
export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let server: ChildProcess;
  const launch = async () => {
    server = spawn(
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
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    for (const deadline = Date.now() + 10_000; !(await answers(port));) {
      if (server.exitCode !== null || Date.now() > deadline)
        throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  // A test that fails halfway must not leave a Redis running behind it.
  process.on('exit', () => server.kill('SIGKILL'));
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL');
      await once(server, 'exit');
    }
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await stop();
      await launch();
    },
    stop,
  };
}
