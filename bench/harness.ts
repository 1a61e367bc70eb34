import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
  const service = spawn(process.execPath, [...(options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${process.cwd()}/bench/results`] : []), main], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', RIPOSTE_DATA_DIR: join(dir, 'data'), RIPOSTE_ADMIN_KEY: key, RIPOSTE_ALLOW_CUSTOM_ENDPOINTS: 'true', NODE_EXTRA_CA_CERTS: pki.caFile, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    service.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Riposte is listening on (http:\/\/[^"\s]+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    service.on('exit', () => reject(new Error(`service exited:\n${out}`)));
  });
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

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
