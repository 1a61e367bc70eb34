import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO } from './demo-seed.js';
import { FakeCloud } from './fake-cloud.js';
import { createPki, loadPki } from './pki.js';

/**
 * Runs the fake cloud on its own:
 *   node dist/tools/fake-cloud/src/main.js --port 0 --pki-dir <dir> [--latency-ms 20] [--seed demo]
 * Prints one JSON line ({ url, caFile, endpoints, tenantId, clientId, ... }) once it listens; stops on SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'pki-dir': { type: 'string' },
      'latency-ms': { type: 'string', default: '0' },
      'action-transition-ms': { type: 'string' },
      seed: { type: 'string' },
    },
    strict: true,
  });
  const pkiDir = values['pki-dir'];
  if (!pkiDir) throw new Error('--pki-dir is required');
  const pki = existsSync(join(pkiDir, 'server-key.pem')) ? loadPki(pkiDir) : await createPki(pkiDir);
  const transition = values['action-transition-ms'];
  const fake = await FakeCloud.start({
    tls: { cert: pki.serverCertPem, key: pki.serverKeyPem },
    port: Number(values.port),
    latencyMs: Number(values['latency-ms']),
    ...(transition !== undefined
      ? { actionTransitionMs: transition === 'manual' ? Infinity : Number(transition) }
      : {}),
  });
  if (values.seed !== undefined && values.seed !== 'demo')
    throw new Error(`unknown seed '${values.seed}' (only 'demo')`);
  const seeded = values.seed === 'demo' ? fake.seedDemo() : undefined;
  process.stdout.write(
    `${JSON.stringify({
      url: fake.url,
      caFile: pki.caFile,
      endpoints: fake.endpoints,
      tenantId: seeded?.tenantId ?? null,
      clientId: seeded?.clientId ?? null,
      clientSecret: seeded?.clientSecret ?? null,
      msi: fake.msi,
      control: `${fake.url}/_fake`,
    })}\n`,
  );
  const stop = () => {
    void fake.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`fake-cloud: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

export { DEMO };
