import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO, FakeCloud, createPki } from '../apps/fake-cloud/src/index.js';
import { generateKey } from '@riposte/auth';

export interface BenchEnvironment {
  url: string;
  key: string;
  fake: FakeCloud;
  service: ChildProcess;
  close(): Promise<void>;
}

/**
 * A fake Microsoft cloud in this process and the built service in a child process, as in
 * production, both on loopback. `latencyMs` is added by the fake to every answer.
 */
export async function startEnvironment(options: { latencyMs: number; env?: Record<string, string>; cpuProf?: boolean }): Promise<BenchEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), 'riposte-bench-'));
  const pki = await createPki(join(dir, 'pki'));
  const fake = await FakeCloud.start({ port: 0, tls: { cert: pki.serverCertPem, key: pki.serverKeyPem }, latencyMs: options.latencyMs, actionTransitionMs: 20 });
  fake.seedDemo();
  const key = generateKey();
  const main = fileURLToPath(new URL('../apps/api/src/main.js', import.meta.url));
  const port = await freePort();
  const service = spawn(process.execPath, [...(options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${process.cwd()}/bench/results`] : []), main], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RIPOSTE_DATA_DIR: join(dir, 'data'), RIPOSTE_ADMIN_KEY: key, RIPOSTE_ALLOW_CUSTOM_ENDPOINTS: 'true', NODE_EXTRA_CA_CERTS: pki.caFile, ...options.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, service);
  const response = await fetch(`${url}/api/v1/connection-targets`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'bench', tenantId: DEMO.tenantId, clientId: DEMO.clientId, cloud: 'custom', endpoints: fake.endpoints, auth: { type: 'clientSecret', clientSecret: DEMO.clientSecret } }),
  });
  if (response.status !== 201) throw new Error(await response.text());
  return {
    url,
    key,
    fake,
    service,
    async close() {
      service.kill('SIGTERM');
      await new Promise((r) => service.once('exit', r));
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

async function waitForHealth(url: string, service: ChildProcess): Promise<void> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    if (service.exitCode !== null) throw new Error('The service exited during start.');
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('The service did not start within 30 s.');
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
