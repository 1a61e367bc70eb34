import { randomBytes } from 'node:crypto';
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
