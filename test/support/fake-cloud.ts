import { FakeCloud, type FakeCloudOptions } from '@riposte/fake-cloud';
import { loadPki, type TestPki } from '@riposte/fake-cloud';

/** The PKI the global setup created (its CA is already trusted through NODE_EXTRA_CA_CERTS). */
export function testPki(): TestPki {
  const dir = process.env.RIPOSTE_TEST_PKI_DIR;
  if (!dir)
    throw new Error(
      'RIPOSTE_TEST_PKI_DIR is not set: run the tests through vitest, whose global setup creates the test PKI',
    );
  return loadPki(dir);
}

/** Starts a fake Microsoft cloud on a random 127.0.0.1 port. Close it in afterAll/afterEach. */
export function startFakeCloud(options: Omit<FakeCloudOptions, 'tls'> = {}): Promise<FakeCloud> {
  const pki = testPki();
  return FakeCloud.start({ port: 0, ...options, tls: { cert: pki.serverCertPem, key: pki.serverKeyPem } });
}

export { FakeCloud };
