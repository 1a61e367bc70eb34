import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@riposte/config';
import { KEY_FILE_NAME, KeyStore, keyIdOf } from './key-store.js';
import { SecretBox } from './secret-box.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'riposte-keys-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe(SecretBox.name, () => {
  it('generates a key file with mode 0600 on first use and round-trips secrets', () => {
    const dir = dataDir();
    const sut = new SecretBox(new KeyStore(loadConfig({ RIPOSTE_DATA_DIR: dir })));
    const sealed = sut.seal('the secret', 'target-1');
    expect(statSync(join(dir, KEY_FILE_NAME)).mode & 0o777).toBe(0o600);
    expect(sealed).not.toContain('the secret');
    expect(sealed.split('.')[1]).toBe(JSON.parse(readFileSync(join(dir, KEY_FILE_NAME), 'utf8')).current);
    expect(sut.open(sealed, 'target-1')).toBe('the secret');
  });

  it('refuses a ciphertext moved to another record (associated data) or altered', () => {
    const sut = new SecretBox(new KeyStore(loadConfig({ RIPOSTE_DATA_DIR: dataDir() })));
    const sealed = sut.seal('the secret', 'target-1');
    expect(() => sut.open(sealed, 'target-2')).toThrow(/integrity/);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => sut.open(parts.join('.'), 'target-1')).toThrow(/integrity/);
  });

  it('reads old ciphertexts with previous keys from the environment, and says which key is missing otherwise', () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const before = new SecretBox(new KeyStore(loadConfig({ RIPOSTE_ENCRYPTION_KEY: oldKey })));
    const sealed = before.seal('s', 'id');
    const rotated = new SecretBox(
      new KeyStore(loadConfig({ RIPOSTE_ENCRYPTION_KEY: newKey, RIPOSTE_PREVIOUS_ENCRYPTION_KEYS: oldKey })),
    );
    expect(rotated.open(sealed, 'id')).toBe('s');
    const lost = new SecretBox(new KeyStore(loadConfig({ RIPOSTE_ENCRYPTION_KEY: newKey })));
    expect(() => lost.open(sealed, 'id')).toThrow(new RegExp(keyIdOf(Buffer.from(oldKey, 'base64'))));
  });

  it('rejects a key that is not 32 bytes', () => {
    expect(() => new KeyStore(loadConfig({ RIPOSTE_ENCRYPTION_KEY: Buffer.from('short').toString('base64') }))).toThrow(
      /32 random bytes/,
    );
  });
});
