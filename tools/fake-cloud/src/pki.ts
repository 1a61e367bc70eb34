// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

/** Where the fake cloud's TLS material lives: a private CA and a server certificate for 127.0.0.1. */
export interface TestPki {
  caFile: string;
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

/** A self-signed certificate an app registration can authenticate with (msal `clientCertificate`). */
export interface ClientCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** Hex SHA-256 of the certificate's DER bytes: what msal-node's `thumbprintSha256` expects. */
  thumbprintSha256: string;
}

const crypto = webcrypto;
x509.cryptoProvider.set(crypto);

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const EC_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

const FILES = { ca: 'ca.pem', cert: 'server-cert.pem', key: 'server-key.pem' } as const;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

async function exportPrivateKey(key: webcrypto.CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', key));
}

function serial(): string {
  // Positive 16-byte serial (high bit clear), as RFC 5280 wants.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/** Creates a fresh CA and a server certificate for `127.0.0.1` / `localhost`, and writes them into `dir`. */
export async function createPki(dir: string): Promise<TestPki> {
  const now = Date.now();
  const caKeys = await crypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=Riposte Fake Cloud Test CA, O=Riposte',
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    signingAlgorithm: EC_SIGN,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const serverKeys = await crypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=127.0.0.1',
    issuer: ca.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 825 * DAY_MS),
    signingAlgorithm: EC_SIGN,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'dns', value: 'localhost' },
      ]),
      await x509.SubjectKeyIdentifierExtension.create(serverKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  const pki = {
    caCertPem: ca.toString('pem') + '\n',
    serverCertPem: server.toString('pem') + '\n',
    serverKeyPem: await exportPrivateKey(serverKeys.privateKey),
  };
  mkdirSync(dir, { recursive: true });
  const caFile = join(dir, FILES.ca);
  writeFileSync(caFile, pki.caCertPem);
  writeFileSync(join(dir, FILES.cert), pki.serverCertPem);
  const keyFile = join(dir, FILES.key);
  writeFileSync(keyFile, pki.serverKeyPem, { mode: 0o600 });
  chmodSync(keyFile, 0o600); // the mode option does not apply when the file already existed
  return { caFile, ...pki };
}

/** Reads the files `createPki` wrote. */
export function loadPki(dir: string): TestPki {
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    caFile: join(dir, FILES.ca),
    caCertPem: read(FILES.ca),
    serverCertPem: read(FILES.cert),
    serverKeyPem: read(FILES.key),
  };
}

/** A self-signed RSA certificate for app authentication; msal signs its assertion with PS256, so RSA it is. */
export async function createClientCertificate(commonName: string): Promise<ClientCertificate> {
  const keys = await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  );
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName.replace(/[,=+<>#;\\"]/g, '')}`,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 365 * DAY_MS),
    keys,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  return {
    certificatePem: cert.toString('pem') + '\n',
    privateKeyPem: await exportPrivateKey(keys.privateKey),
    thumbprintSha256: createHash('sha256').update(Buffer.from(cert.rawData)).digest('hex'),
  };
}
