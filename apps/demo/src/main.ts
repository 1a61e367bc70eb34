import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO, FakeCloud, createPki } from '../../fake-cloud/src/index.js';
import { generateKey } from '@riposte/auth';

/*
 * `npm run demo`: Riposte and a fake Microsoft cloud on this machine, no Azure tenant needed.
 * The fake cloud plays Entra ID, Graph and Defender for a Contoso tenant; the service runs as
 * it would in production (its own process, SQLite in data/demo, the fake's CA trusted the
 * Node way); a connection target for the fake tenant is registered; then it prints the curl
 * lines to try. Ctrl-C stops both.
 */
const dataDir = resolve(process.env.RIPOSTE_DATA_DIR ?? 'data/demo');
const port = process.env.PORT ?? '3000';
const adminKey = process.env.RIPOSTE_ADMIN_KEY ?? generateKey();
const serviceMain = fileURLToPath(new URL('../../api/src/main.js', import.meta.url));

async function main(): Promise<void> {
  // Each demo starts clean: the fake cloud's state lives in memory and is gone at exit too.
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const pki = await createPki(join(dataDir, 'pki'));
  const fake = await FakeCloud.start({ port: 0, tls: { cert: pki.serverCertPem, key: pki.serverKeyPem }, actionTransitionMs: 1500 });
  fake.seedDemo();

  const logFile = join(dataDir, 'riposte.log');
  const log = createWriteStream(logFile);
  const service = spawn(process.execPath, [serviceMain], {
    env: { ...process.env, PORT: port, HOST: '127.0.0.1', RIPOSTE_DATA_DIR: dataDir, RIPOSTE_ADMIN_KEY: adminKey, RIPOSTE_ALLOW_CUSTOM_ENDPOINTS: 'true', RIPOSTE_MACHINE_ACTION_POLL_SECONDS: '1', NODE_EXTRA_CA_CERTS: pki.caFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service.stdout?.pipe(log);
  service.stderr?.pipe(log);
  let stopping = false;
  const stop = async () => {
    stopping = true;
    service.kill('SIGTERM');
    await Promise.race([once(service, 'exit'), new Promise((r) => setTimeout(r, 10_000))]);
    await fake.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  service.on('exit', (code) => {
    if (stopping) return;
    process.stderr.write(`The service stopped (exit code ${code}); its log is in ${logFile}.\n`);
    void fake.close().then(() => process.exit(code ?? 1));
  });

  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, service);
  const target = await fetch(`${url}/api/v1/connection-targets`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'contoso-demo', tenantId: DEMO.tenantId, clientId: DEMO.clientId, cloud: 'custom', endpoints: fake.endpoints, auth: { type: 'clientSecret', clientSecret: DEMO.clientSecret, expiresAt: '2028-11-01T00:00:00Z' } }),
  });
  if (target.status !== 201) throw new Error(`Could not register the demo connection target: ${await target.text()}`);
  process.stdout.write(banner(url, fake.url, logFile));
}

async function waitForHealth(url: string, service: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (service.exitCode !== null) throw new Error('The service exited during start.');
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('The service did not start within 30 s.');
}

function banner(url: string, fakeUrl: string, logFile: string): string {
  const auth = `-H "Authorization: Bearer ${adminKey}"`;
  const post = (body: object) => `curl -s ${auth} -H "Content-Type: application/json" -X POST ${url}/api/v1/responses?wait=30 -d '${JSON.stringify(body)}'`;
  return `
Riposte demo is running at ${url} (API docs: ${url}/docs), against a fake Microsoft cloud at ${fakeUrl}.
Connection target "contoso-demo" is registered for the fake Contoso tenant. Service log: ${logFile}

Admin API key for this demo:
  ${adminKey}

Web console: open ${url}/ and paste the admin key above to sign in (it stays in that tab only).

Disable a user, then enable her again:
  ${post({ action: 'azure_ad.disable_user', connectionTarget: 'contoso-demo', input: { user: DEMO.users.adele.upn }, reason: 'demo: impossible travel' })}
  ${post({ action: 'azure_ad.enable_user', connectionTarget: 'contoso-demo', input: { user: DEMO.users.adele.upn } })}

Isolate a machine by its DNS name, then release it (the fake takes a few seconds, like Defender):
  ${post({ action: 'defender.isolate_machine', connectionTarget: 'contoso-demo', input: { machine: DEMO.machines.adeleDesktop.dnsName, comment: 'demo' } })}
  ${post({ action: 'defender.release_machine', connectionTarget: 'contoso-demo', input: { machine: DEMO.machines.adeleDesktop.dnsName } })}

See the exact request a response would send, without sending it:
  ${post({ action: 'azure_ad.disable_user', connectionTarget: 'contoso-demo', input: { user: DEMO.users.megan.upn }, dryRun: true })}

More: check the app's permissions, list runs, read the audit trail:
  curl -s ${auth} -X POST ${url}/api/v1/connection-targets/contoso-demo/test
  curl -s ${auth} ${url}/api/v1/runs
  curl -s ${auth} ${url}/api/v1/audit

Press Ctrl-C to stop.
`;
}

main().catch((error: unknown) => {
  process.stderr.write(`The demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
