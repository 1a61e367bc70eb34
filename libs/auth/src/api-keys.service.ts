import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { NotFoundError, ValidationError } from '@riposte/errors';
import { ApiKeyEntity, Database, nowIso } from '@riposte/persistence';
import { ROLES, type Principal, type Role } from './roles.js';

const KEY_PREFIX = 'rip_';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdBy: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

export interface CreatedApiKey extends ApiKeyView {
  /** Shown once, never stored. */
  key: string;
}

/** API keys: random 190-bit tokens, stored as SHA-256 hashes (they are not guessable, so no slow hash is needed). */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(private readonly db: Database) {}

  async create(
    input: { name: string; role: Role; key?: string; expiresAt?: string | null },
    createdBy: string | null,
  ): Promise<CreatedApiKey> {
    if (!ROLES.includes(input.role))
      throw new ValidationError(`Unknown role '${input.role}'.`, [
        { path: '/role', message: `must be one of: ${ROLES.join(', ')}` },
      ]);
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now()))
      throw new ValidationError('expiresAt must be a time in the future.', [
        { path: '/expiresAt', message: 'must be a time in the future' },
      ]);
    const key = input.key ?? generateKey();
    const entity: ApiKeyEntity = {
      id: randomUUID(),
      name: input.name,
      role: input.role,
      hash: hashKey(key),
      prefix: key.slice(0, KEY_PREFIX.length + 6),
      createdBy,
      createdAt: nowIso(),
      lastUsedAt: null,
      revokedAt: null,
      expiresAt: expiresAt?.toISOString() ?? null,
    };
    await this.db.transaction((m) => m.insert(ApiKeyEntity, entity));
    return { ...toView(entity), key };
  }

  async list(): Promise<ApiKeyView[]> {
    const rows = await this.db.reader.find(ApiKeyEntity, {
      where: { revokedAt: IsNull() },
      order: { createdAt: 'ASC' },
    });
    return rows.map(toView);
  }

  async revoke(id: string): Promise<ApiKeyView> {
    const revoked = await this.db.transaction(async (m) => {
      const row = await m.findOne(ApiKeyEntity, { where: { id, revokedAt: IsNull() } });
      if (!row) throw new NotFoundError('API key', id);
      row.revokedAt = nowIso();
      await m.save(ApiKeyEntity, row);
      return row;
    });
    return toView(revoked);
  }

  async hasActiveAdmin(): Promise<boolean> {
    return (await this.db.reader.count(ApiKeyEntity, { where: { role: 'admin', revokedAt: IsNull() } })) > 0;
  }

  async findByKey(key: string): Promise<ApiKeyView | null> {
    const row = await this.db.reader.findOne(ApiKeyEntity, { where: { hash: hashKey(key), revokedAt: IsNull() } });
    return row ? toView(row) : null;
  }

  /**
   * The caller behind a bearer key, or why not (in words that never repeat the key). Looked up
   * on every request (one indexed read), so a key revoked from any process stops working at once.
   */
  async authenticate(key: string, now = Date.now()): Promise<{ principal: Principal } | { refused: string }> {
    const unknown = { refused: 'The API key is not valid (unknown or revoked).' };
    if (!key.startsWith(KEY_PREFIX) || key.length > 200) return unknown;
    const hash = hashKey(key);
    // On every request: a statement prepared once, no query building.
    const row = (
      await this.db.all<Pick<ApiKeyEntity, 'id' | 'name' | 'role' | 'hash' | 'expiresAt'>>(
        this.db.reader,
        KEY_BY_HASH_SQL,
        [hash],
      )
    )[0];
    // The index found the row by hash; compare again in constant time for good measure.
    if (!row || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash))) return unknown;
    if (row.expiresAt && Date.parse(row.expiresAt) <= now)
      return { refused: `The API key '${row.name}' expired at ${row.expiresAt}.` };
    const principal = { id: row.id, name: row.name, role: row.role as Role, kind: 'api_key' as const };
    this.touch(principal.id, now);
    return { principal };
  }

  /** Records lastUsedAt at most once a minute per key: a write per request would cost more than it tells. */
  private touch(id: string, now: number): void {
    if ((this.lastUsedWritten.get(id) ?? 0) + LAST_USED_WRITE_INTERVAL_MS > now) return;
    this.lastUsedWritten.set(id, now);
    this.db
      .transaction((m) => m.update(ApiKeyEntity, { id }, { lastUsedAt: new Date(now).toISOString() }))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not record lastUsedAt'));
  }
}

export function generateKey(): string {
  const bytes = randomBytes(32);
  let out = KEY_PREFIX;
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

const KEY_BY_HASH_SQL = `SELECT id, name, role, hash, "expiresAt" FROM api_keys WHERE hash = $1 AND "revokedAt" IS NULL`;

function toView(row: ApiKeyEntity): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    prefix: `${row.prefix}…`,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
  };
}
