import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClientCertificate, createPki, loadPki } from './pki.js';

describe('pki', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fake-cloud-pki-spec-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a CA and a server certificate for 127.0.0.1 and localhost, signed by that CA', async () => {
    const pki = await createPki(dir);
    const ca = new X509Certificate(pki.caCertPem);
    const server = new X509Certificate(pki.serverCertPem);
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(createPrivateKey(pki.serverKeyPem).asymmetricKeyType).toBe('ec');
    expect(statSync(join(dir, 'server-key.pem')).mode & 0o777).toBe(0o600);
    expect(loadPki(dir)).toEqual(pki);
  });

  it('creates an RSA client certificate whose thumbprint is the hex SHA-256 of its DER', async () => {
    const cert = await createClientCertificate('riposte-test-app');
    const parsed = new X509Certificate(cert.certificatePem);
    expect(parsed.subject).toContain('CN=riposte-test-app');
    expect(createPrivateKey(cert.privateKeyPem).asymmetricKeyType).toBe('rsa');
    expect(cert.thumbprintSha256).toBe(createHash('sha256').update(parsed.raw).digest('hex'));
    expect(parsed.fingerprint256.replaceAll(':', '').toLowerCase()).toBe(cert.thumbprintSha256);
  });
});
