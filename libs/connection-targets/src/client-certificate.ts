import { X509Certificate, createPrivateKey } from 'node:crypto';
import { ValidationError } from '@riposte/errors';

/** Checks a certificate and its private key belong together; returns what msal needs and the expiry. */
export function inspectClientCertificate(
  certificatePem: string,
  privateKeyPem: string,
): { thumbprintSha256: string; notAfter: string } {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw new ValidationError('The certificate is not a PEM X.509 certificate.', [
      { path: '/auth/certificatePem', message: 'must be a PEM-encoded X.509 certificate' },
    ]);
  }
  let matches: boolean;
  try {
    matches = certificate.checkPrivateKey(createPrivateKey(privateKeyPem));
  } catch {
    throw new ValidationError('The private key is not a PEM private key.', [
      { path: '/auth/privateKeyPem', message: 'must be a PEM-encoded private key (unencrypted PKCS#8 or PKCS#1)' },
    ]);
  }
  if (!matches)
    throw new ValidationError('The private key does not belong to the certificate.', [
      { path: '/auth/privateKeyPem', message: 'does not match the certificate' },
    ]);
  return {
    thumbprintSha256: certificate.fingerprint256.replace(/:/g, ''),
    notAfter: new Date(certificate.validTo).toISOString(),
  };
}
