import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, ConfigError } from '@riposte/config';

/** A key's id: a short hash, stored in front of every ciphertext so the right key can be found. */
export function keyIdOf(key: Buffer): string {
  return `k${createHash('sha256').update(key).digest('hex').slice(0, 11)}`;
}

interface KeyFile {
  current: string;
  keys: Record<string, string>;
}

export const KEY_FILE_NAME = 'encryption-keys.json';

/**
 * The keys that encrypt stored secrets. Either from the environment (`RIPOSTE_ENCRYPTION_KEY`,
 * plus `RIPOSTE_PREVIOUS_ENCRYPTION_KEYS` while rotating), or, for the embedded default, from a
 * key file in the data folder that is generated on first start with mode 0600.
 */
@Injectable()
export class KeyStore {
  private readonly logger = new Logger(KeyStore.name);
  private keys = new Map<string, Buffer>();
  private current = '';

  constructor(private readonly config: AppConfig) {
    this.load();
  }

  get source(): 'environment' | 'file' {
    return this.config.encryption.key ? 'environment' : 'file';
  }

  get file(): string {
    return join(this.config.dataDir, KEY_FILE_NAME);
  }

  get currentKeyId(): string {
    return this.current;
  }

  currentKey(): { id: string; key: Buffer } {
    return { id: this.current, key: this.keys.get(this.current) as Buffer };
  }

  key(id: string): Buffer | undefined {
    return this.keys.get(id);
  }

  has(id: string): boolean {
    return this.keys.has(id);
  }

  /** Re-reads the key file (another process, such as `rotate-key`, may have added a key). */
  reload(): void {
    if (this.source === 'file') this.load();
  }

  /** Adds a new random key to the key file and makes it current. File mode only. */
  addGeneratedKey(): string {
    this.requireFileMode();
    const file = this.readFile();
    const key = randomBytes(32);
    const id = keyIdOf(key);
    this.writeFile({ current: id, keys: { ...file.keys, [id]: key.toString('base64') } });
    this.load();
    return id;
  }

  /** Removes keys no secret uses any more. File mode only. */
  prune(inUse: Set<string>): string[] {
    this.requireFileMode();
    const file = this.readFile();
    const removed = Object.keys(file.keys).filter((id) => id !== file.current && !inUse.has(id));
    for (const id of removed) delete file.keys[id];
    this.writeFile(file);
    this.load();
    return removed;
  }

  private load(): void {
    if (this.config.encryption.key) {
      const keys = new Map<string, Buffer>();
      const current = decodeKey(this.config.encryption.key, 'RIPOSTE_ENCRYPTION_KEY');
      keys.set(keyIdOf(current), current);
      this.config.encryption.previousKeys.forEach((k, i) => {
        const key = decodeKey(k, `RIPOSTE_PREVIOUS_ENCRYPTION_KEYS[${i}]`);
        keys.set(keyIdOf(key), key);
      });
      this.keys = keys;
      this.current = keyIdOf(current);
      return;
    }
    if (!existsSync(this.file)) {
      const key = randomBytes(32);
      mkdirSync(this.config.dataDir, { recursive: true });
      this.writeFile({ current: keyIdOf(key), keys: { [keyIdOf(key)]: key.toString('base64') } });
      this.logger.warn(
        `Generated a new encryption key for stored secrets in ${this.file} (mode 0600). Back it up: without it the stored client secrets cannot be read. Set RIPOSTE_ENCRYPTION_KEY to manage the key yourself.`,
      );
    }
    const file = this.readFile();
    this.keys = new Map(Object.entries(file.keys).map(([id, b64]) => [id, decodeKey(b64, `${this.file} key ${id}`)]));
    if (!this.keys.has(file.current))
      throw new ConfigError([`${this.file}: the current key ${file.current} is not in the file`]);
    this.current = file.current;
  }

  private readFile(): KeyFile {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as KeyFile;
      if (typeof parsed.current !== 'string' || typeof parsed.keys !== 'object') throw new Error('missing fields');
      return parsed;
    } catch (error) {
      throw new ConfigError([`${this.file}: not a valid key file (${(error as Error).message})`]);
    }
  }

  /** Write to a temporary file and rename: a crash never leaves half a key file. */
  private writeFile(content: KeyFile): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  private requireFileMode(): void {
    if (this.source !== 'file') {
      throw new ConfigError([
        'the encryption key comes from RIPOSTE_ENCRYPTION_KEY: set it to the new key and RIPOSTE_PREVIOUS_ENCRYPTION_KEYS to the old one, then run rotate-key',
      ]);
    }
  }
}

function decodeKey(value: string, name: string): Buffer {
  const key = Buffer.from(value.trim(), 'base64');
  if (key.length !== 32)
    throw new ConfigError([
      `${name}: must be the base64 encoding of 32 random bytes (e.g. \`openssl rand -base64 32\`)`,
    ]);
  return key;
}
