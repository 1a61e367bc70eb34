import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO, FakeCloud, createPki } from '@riposte/fake-cloud';
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
const DEMO_AUTOMATED = 'compromised-account';
const serviceMain = fileURLToPath(new URL('../../api/src/main.js', import.meta.url));

/** Written while a demo runs on this data folder: a second demo must not wipe the first one's data. */
const lockFile = `${dataDir}.demo.pid`;
let service: ChildProcess | undefined;
let fake: FakeCloud | undefined;

async function main(): Promise<void> {
  const holder = runningDemo();
  if (holder)
    throw new Error(
      `A demo is already running (pid ${holder}) on ${dataDir}. Stop it with Ctrl-C first, or start a second one elsewhere: RIPOSTE_DATA_DIR=data/demo2 PORT=3001 npm run demo`,
    );
  if (!(await portIsFree(Number(port))))
    throw new Error(`Port ${port} is in use (another demo or service?). Choose another: PORT=3001 npm run demo`);
  writeFileSync(lockFile, String(process.pid));
  // Each demo starts clean: the fake cloud's state lives in memory and is gone at exit too.
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const pki = await createPki(join(dataDir, 'pki'));
  fake = await FakeCloud.start({
    port: 0,
    tls: { cert: pki.serverCertPem, key: pki.serverKeyPem },
    actionTransitionMs: 1500,
  });
  fake.seedDemo();

  const logFile = join(dataDir, 'riposte.log');
  const log = createWriteStream(logFile);
  service = spawn(process.execPath, [serviceMain], {
    env: {
      ...process.env,
      PORT: port,
      HOST: '127.0.0.1',
      RIPOSTE_DATA_DIR: dataDir,
      RIPOSTE_ADMIN_KEY: adminKey,
      RIPOSTE_ALLOW_CUSTOM_ENDPOINTS: 'true',
      RIPOSTE_MACHINE_ACTION_POLL_SECONDS: '1',
      NODE_EXTRA_CA_CERTS: pki.caFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service.stdout?.pipe(log);
  service.stderr?.pipe(log);
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await cleanUp();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  service.on('exit', (code) => {
    if (stopping) return;
    process.stderr.write(`The service stopped (exit code ${code}); its log is in ${logFile}.\n`);
    void cleanUp().then(() => process.exit(code ?? 1));
  });

  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, service);
  const target = await fetch(`${url}/api/v1/connection-targets`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      name: 'contoso-demo',
      tenantId: DEMO.tenantId,
      clientId: DEMO.clientId,
      cloud: 'custom',
      endpoints: fake.endpoints,
      auth: { type: 'clientSecret', clientSecret: DEMO.clientSecret, expiresAt: '2028-11-01T00:00:00Z' },
    }),
  });
  if (target.status !== 201) throw new Error(`Could not register the demo connection target: ${await target.text()}`);
  // Shipped playbooks arrive with automation off. The demo turns it on for one of them, on the
  // record, and says so; that playbook still asks a person before it disables anyone.
  const automation = await fetch(`${url}/api/v1/playbooks/${DEMO_AUTOMATED}/automation`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ enabled: true, reason: 'npm run demo: automation on for the demo only' }),
  });
  if (automation.status !== 200)
    throw new Error(`Could not turn on automation for ${DEMO_AUTOMATED}: ${await automation.text()}`);
  process.stdout.write(banner(url, fake.url, logFile));
}

/** Stops what this demo started (never anything else) and releases the data folder. */
async function cleanUp(): Promise<void> {
  if (service && service.exitCode === null && service.signalCode === null) {
    service.kill('SIGTERM');
    const exited = await Promise.race([
      once(service, 'exit').then(() => true),
      new Promise((r) => setTimeout(() => r(false), 10_000)),
    ]);
    if (!exited) service.kill('SIGKILL');
  }
  await fake?.close().catch(() => undefined);
  if (runningDemo() === null && readLock() === process.pid) rmSync(lockFile, { force: true });
}

function readLock(): number | null {
  try {
    return Number(readFileSync(lockFile, 'utf8')) || null;
  } catch {
    return null;
  }
}

/** The pid of another live demo holding this data folder, or null. */
function runningDemo(): number | null {
  const pid = readLock();
  if (!pid || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null; // a demo that died without cleaning up
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
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
  const post = (body: object) =>
    `curl -s ${auth} -H "Content-Type: application/json" -X POST ${url}/api/v1/responses?wait=30 -d '${JSON.stringify(body)}'`;
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

Alert-fired automation: this demo turned it ON for the playbook "${DEMO_AUTOMATED}" (a real
installation starts with it off for every playbook). That playbook asks an analyst before it
disables anyone. Let alerts in from the fake tenant's Graph security feed, then see the runs
that wait for a person and what each waits for:
  curl -s ${auth} -H "Content-Type: application/json" -X PUT ${url}/api/v1/connectors/contoso-demo/alerts -d '{"enabled": true}'
  curl -s ${auth} "${url}/api/v1/runs?status=waiting"
Approve (or reject) a waiting step (the feed started those runs; nobody approves a run they started):
  curl -s ${auth} -H "Content-Type: application/json" -X POST ${url}/api/v1/runs/<run id>/approvals/approve_containment -d '{"decision": "reject", "comment": "a phishing recipient, not compromised"}'
Turn automation off again:
  curl -s ${auth} -H "Content-Type: application/json" -X PUT ${url}/api/v1/playbooks/${DEMO_AUTOMATED}/automation -d '{"enabled": false, "reason": "done"}'

More: check the app's permissions, list runs, read the audit trail:
  curl -s ${auth} -X POST ${url}/api/v1/connection-targets/contoso-demo/test
  curl -s ${auth} ${url}/api/v1/runs
  curl -s ${auth} ${url}/api/v1/audit

The CLI against this demo's database: RIPOSTE_DATA_DIR=${dataDir} npm run cli -- api-keys list

Press Ctrl-C to stop.
`;
}

main().catch(async (error: unknown) => {
  process.stderr.write(`The demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await cleanUp();
  process.exit(1);
});
