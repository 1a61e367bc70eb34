import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createPki } from '@riposte/fake-cloud';
import { TEST_POSTGRES_URL, TEST_STORE, adminQuery, dropTestSchemas } from './database.js';

/**
 * Runs once before the test workers start: makes a throwaway CA and a server certificate
 * for the fake Microsoft cloud, and trusts the CA the Node way. Workers are forked after
 * this, so NODE_EXTRA_CA_CERTS is in place when they start, as it is for the real service.
 */
export default async function setup(): Promise<() => Promise<void>> {
  // Tests that need a real process (crash tests, the demo) run the built service: build it once.
  execFileSync('npm', ['run', 'build:server', '--silent'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'riposte-test-pki-'));
  const pki = await createPki(dir);
  process.env.NODE_EXTRA_CA_CERTS = pki.caFile;
  process.env.RIPOSTE_TEST_PKI_DIR = dir;
  // Names this run's PostgreSQL schemas (see test/support/database.ts).
  process.env.RIPOSTE_TEST_RUN_ID = randomBytes(4).toString('hex');
  if (TEST_STORE === 'postgres') {
    await adminQuery('SELECT 1').catch((error: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `The PostgreSQL pass needs a server at ${redactUrl(TEST_POSTGRES_URL)} (set RIPOSTE_TEST_POSTGRES_URL, or run .ci/run, which starts one): ${(error as Error).message}`,
      );
    });
  }
  return async () => {
    rmSync(dir, { recursive: true, force: true });
    if (TEST_STORE === 'postgres') await dropTestSchemas();
  };
}

/** The URL without its password, for an error message. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an invalid URL)';
  }
}
