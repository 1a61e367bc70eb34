import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import type { DelegatedSession, SignedIn } from '@riposte/azure';
import { Database, DelegatedSessionEntity, nowIso, SignInRequestEntity } from '@riposte/persistence';
import { SecretBox } from '../secret-box.js';

/** What a connection target shows about its signed-in person. */
export interface SignInView {
  status: 'signed_in' | 'sign_in_required';
  account: { username: string; name: string | null } | null;
  scopes: string[];
  signedInAt: string | null;
  signedInBy: string | null;
  /** When status is sign_in_required: why, in words. */
  reason: string | null;
  since: string | null;
}

/**
 * The one owner of delegated sign-ins: the msal token cache of each delegated target, sealed with
 * the data key (the target's id as associated data, so a cache cannot be moved to another target),
 * and who signed in. The cache's plaintext never leaves this class except to msal.
 */
@Injectable()
export class DelegatedSessions {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
  ) {}

  /** The handle msal's cache plugin uses for one target. */
  handle(targetId: string): DelegatedSession {
    return {
      loadCache: async () => {
        const row = await this.db.reader.findOne(DelegatedSessionEntity, {
          where: { connectionTargetId: targetId },
          select: { connectionTargetId: true, tokenCacheCiphertext: true },
        });
        return row?.tokenCacheCiphertext ? this.box.open(row.tokenCacheCiphertext, cacheAad(targetId)) : null;
      },
      saveCache: async (serialized) => {
        const sealed = this.box.seal(serialized, cacheAad(targetId));
        await this.upsert(targetId, { tokenCacheCiphertext: sealed });
      },
      signInRequired: async (reason) => {
        await this.upsert(targetId, {
          tokenCacheCiphertext: null,
          signInRequiredReason: reason.slice(0, 1000),
          signInRequiredAt: nowIso(),
        });
      },
      signInRequiredReason: async () => {
        const row = await this.db.reader.findOne(DelegatedSessionEntity, { where: { connectionTargetId: targetId } });
        return row?.signInRequiredReason ?? null;
      },
    };
  }

  /** Records a completed sign-in (msal has already written the cache). */
  async signedIn(targetId: string, who: SignedIn, by: string): Promise<void> {
    await this.upsert(targetId, {
      username: who.username,
      displayName: who.name,
      scopes: who.scopes,
      signedInAt: nowIso(),
      signedInBy: by,
      signInRequiredReason: null,
      signInRequiredAt: null,
    });
  }

  /** Forgets the person and their tokens (sign-out, a changed credential, a deleted target). */
  async clear(targetId: string, reason: string | null): Promise<void> {
    if (reason === null) {
      await this.db.transaction((m) => m.delete(DelegatedSessionEntity, { connectionTargetId: targetId }));
      return;
    }
    await this.upsert(targetId, {
      tokenCacheCiphertext: null,
      username: null,
      displayName: null,
      scopes: null,
      signedInAt: null,
      signedInBy: null,
      signInRequiredReason: reason,
      signInRequiredAt: nowIso(),
    });
  }

  async views(targetIds: string[]): Promise<Map<string, SignInView>> {
    if (!targetIds.length) return new Map();
    const rows = await this.db.reader.find(DelegatedSessionEntity, { where: { connectionTargetId: In(targetIds) } });
    return new Map(rows.map((row) => [row.connectionTargetId, toView(row)]));
  }

  /** Key rotation: re-encrypts every cache not yet under the current key, one transaction each. */
  async reseal(currentKeyId: string): Promise<number> {
    let count = 0;
    for (const { connectionTargetId: id } of await this.db.reader.find(DelegatedSessionEntity, {
      select: { connectionTargetId: true },
    })) {
      const done = await this.db.transaction(async (m) => {
        const row = await m.findOne(DelegatedSessionEntity, { where: { connectionTargetId: id } });
        if (!row?.tokenCacheCiphertext || SecretBox.keyIdOf(row.tokenCacheCiphertext) === currentKeyId) return false;
        await m.update(
          DelegatedSessionEntity,
          { connectionTargetId: id },
          { tokenCacheCiphertext: this.box.seal(this.box.open(row.tokenCacheCiphertext, cacheAad(id)), cacheAad(id)) },
        );
        return true;
      });
      if (done) count += 1;
    }
    return count;
  }

  /** The keys sealed caches and pending sign-ins use (a key still in use is never pruned). */
  async keysInUse(): Promise<string[]> {
    const caches = await this.db.reader.find(DelegatedSessionEntity, {
      select: { connectionTargetId: true, tokenCacheCiphertext: true },
    });
    const requests = await this.db.reader.find(SignInRequestEntity, { select: { id: true, secretCiphertext: true } });
    return [...caches.map((r) => r.tokenCacheCiphertext), ...requests.map((r) => r.secretCiphertext)]
      .filter((c): c is string => !!c)
      .map((c) => SecretBox.keyIdOf(c) ?? '');
  }

  private async upsert(targetId: string, patch: Partial<DelegatedSessionEntity>): Promise<void> {
    await this.db.transaction(async (m) => {
      const updated = await m.update(
        DelegatedSessionEntity,
        { connectionTargetId: targetId },
        { ...patch, updatedAt: nowIso() },
      );
      if (updated.affected) return;
      const row: DelegatedSessionEntity = {
        connectionTargetId: targetId,
        tokenCacheCiphertext: null,
        username: null,
        displayName: null,
        scopes: null,
        signedInAt: null,
        signedInBy: null,
        signInRequiredReason: null,
        signInRequiredAt: null,
        updatedAt: nowIso(),
        ...patch,
      };
      await m.insert(DelegatedSessionEntity, row);
    });
  }
}

/** The views of a target nobody signed in to yet. */
export const NOT_SIGNED_IN: SignInView = {
  status: 'sign_in_required',
  account: null,
  scopes: [],
  signedInAt: null,
  signedInBy: null,
  reason: 'nobody has signed in yet',
  since: null,
};

function toView(row: DelegatedSessionEntity): SignInView {
  const working = row.tokenCacheCiphertext !== null && row.signInRequiredReason === null && row.username !== null;
  return {
    status: working ? 'signed_in' : 'sign_in_required',
    account: row.username ? { username: row.username, name: row.displayName } : null,
    scopes: row.scopes ?? [],
    signedInAt: row.signedInAt,
    signedInBy: row.signedInBy,
    reason: working ? null : (row.signInRequiredReason ?? 'nobody has signed in yet'),
    since: working ? null : row.signInRequiredAt,
  };
}

function cacheAad(targetId: string): string {
  return `${targetId}#token-cache`;
}
