import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { databaseEnv } from './database.js';
import { ADMIN_KEY } from './service.js';

const MAIN = fileURLToPath(new URL('../../dist/apps/api/src/main.js', import.meta.url));
const live = new Set<ChildProcess>();

// A test that fails halfway must not leave a service running behind it.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface ServiceProcess {
  url: string;
  pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs the built service (dist/, built by the global setup) as a child process on 127.0.0.1,
 * for what an in-process test cannot do: kill it mid-flight, read its real logs. Its store is the
 * one of `env.RIPOSTE_DATA_DIR` (a PostgreSQL schema of that folder's name when the tests run on
 * PostgreSQL, dropped by the global teardown).
 */
export async function spawnService(env: Record<string, string>, timeoutMs = 60_000): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      RIPOSTE_ADMIN_KEY: ADMIN_KEY,
      RIPOSTE_ALLOW_CUSTOM_ENDPOINTS: 'true',
      RIPOSTE_MACHINE_ACTION_POLL_SECONDS: '0.05',
      ...(env.RIPOSTE_DATA_DIR ? await databaseEnv(env.RIPOSTE_DATA_DIR) : {}),
      // Suites probe many refused keys from one address; the slow-down has its own test.
      RIPOSTE_AUTH_FAILURES_PER_MINUTE: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => {
    live.delete(child);
    return code as number | null;
  });

  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  while (!url) {
    url = /Riposte is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    if (child.exitCode !== null) throw new Error(`The service exited during start:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The service did not start in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    pid: child.pid!,
    output: () => output,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** fetch against a service process, as the admin unless another key is given. */
export async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  key = ADMIN_KEY,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}
