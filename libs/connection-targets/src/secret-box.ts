import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RiposteError } from '@riposte/errors';
import { KeyStore } from './key-store.js';

const VERSION = 'v1';

export class SecretUnreadableError extends RiposteError {
  constructor(message: string) {
    super('unavailable', message, 'credential_unreadable');
  }
}

/**
 * AES-256-GCM for secrets at rest. Ciphertext: `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url),
 * with the owning record's id as associated data, so a ciphertext copied onto another record
 * does not decrypt.
 */
@Injectable()
export class SecretBox {
  constructor(private readonly keys: KeyStore) {}

  seal(plaintext: string, associatedData: string): string {
    const { id, key } = this.keys.currentKey();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      VERSION,
      id,
      iv.toString('base64url'),
      body.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  open(sealed: string, associatedData: string): string {
    const [version, keyId, iv, body, tag] = sealed.split('.');
    if (version !== VERSION || !keyId || !iv || body === undefined || !tag)
      throw new SecretUnreadableError('A stored secret is not in a format this version can read.');
    if (!this.keys.has(keyId)) this.keys.reload();
    const key = this.keys.key(keyId);
    if (!key)
      throw new SecretUnreadableError(
        `A stored secret is encrypted with key ${keyId}, which is not configured. Set RIPOSTE_PREVIOUS_ENCRYPTION_KEYS to that key, or restore the key file.`,
      );
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretUnreadableError(
        `A stored secret failed its integrity check under key ${keyId}: it was altered or belongs to another record.`,
      );
    }
  }

  /** Is the key this ciphertext needs available? */
  canOpen(sealed: string): boolean {
    const keyId = SecretBox.keyIdOf(sealed);
    return keyId !== undefined && this.keys.has(keyId);
  }

  static keyIdOf(sealed: string): string | undefined {
    return sealed.split('.')[1];
  }
}
