import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPki } from '../../apps/fake-cloud/src/pki.js';

/**
 * Runs once before the test workers start: makes a throwaway CA and a server certificate
 * for the fake Microsoft cloud, and trusts the CA the Node way. Workers are forked after
 * this, so NODE_EXTRA_CA_CERTS is in place when they start, as it is for the real service.
 */
export default async function setup(): Promise<() => void> {
  // Tests that need a real process (crash tests, the demo) run the built service: build it once.
  execFileSync('npm', ['run', 'build:server', '--silent'], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'riposte-test-pki-'));
  const pki = await createPki(dir);
  process.env.NODE_EXTRA_CA_CERTS = pki.caFile;
  process.env.RIPOSTE_TEST_PKI_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
