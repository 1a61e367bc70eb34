import { Injectable } from '@nestjs/common';
import { Not, IsNull } from 'typeorm';
import { AuditLog } from '@riposte/audit';
import { SYSTEM_PRINCIPAL } from '@riposte/auth';
import { ConnectionTargetEntity, Database, ExportSinkEntity } from '@riposte/persistence';
import { DelegatedSessions } from './delegated/delegated-sessions.js';
import { KeyStore } from './key-store.js';
import { SecretBox } from './secret-box.js';

export interface RotationReport {
  keyId: string;
  resumed: boolean;
  reencrypted: number;
  prunedKeys: string[];
}

/** The tables that hold sealed secrets (column `secretCiphertext`, the row id as associated data). */
const SEALED = [ConnectionTargetEntity, ExportSinkEntity] as const;
type Sealed = (typeof SEALED)[number];

/**
 * Re-encrypts every stored secret under the current key (connection targets' credentials, export sinks' tokens). Each secret is re-encrypted in its own
 * transaction and the work left is read from the ciphertexts' key ids, so a rotation that stops
 * halfway (crash, Ctrl-C) is finished by running it again.
 */
@Injectable()
export class KeyRotation {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly keys: KeyStore,
    private readonly audit: AuditLog,
    private readonly sessions: DelegatedSessions,
  ) {}

  async rotate(onProgress: (message: string) => void = () => undefined): Promise<RotationReport> {
    let pending = await this.pending();
    const resumed = pending.length > 0;
    if (resumed) {
      onProgress(`${pending.length} secret(s) are not yet under key ${this.keys.currentKeyId}; re-encrypting them.`);
    } else if (this.keys.source === 'file') {
      const id = this.keys.addGeneratedKey();
      onProgress(`Generated key ${id} in ${this.keys.file}; re-encrypting every secret under it.`);
      pending = await this.pending();
    } else {
      onProgress(
        `Every secret already uses key ${this.keys.currentKeyId}. To rotate, set RIPOSTE_ENCRYPTION_KEY to a new key and RIPOSTE_PREVIOUS_ENCRYPTION_KEYS to the current one, then run rotate-key again.`,
      );
    }

    let reencrypted = 0;
    for (const { id, entity } of pending) {
      const done = await this.db.transaction(async (m) => {
        const row = await m.findOne(entity as typeof ConnectionTargetEntity, {
          select: { id: true, secretCiphertext: true },
          where: { id },
        });
        if (!row?.secretCiphertext || SecretBox.keyIdOf(row.secretCiphertext) === this.keys.currentKeyId) return false;
        await m.update(
          entity as typeof ConnectionTargetEntity,
          { id },
          { secretCiphertext: this.box.seal(this.box.open(row.secretCiphertext, row.id), row.id) },
        );
        return true;
      });
      if (done) reencrypted += 1;
    }
    // Signed-in people's token caches too (pending sign-ins last minutes: they keep their key until pruned after use).
    reencrypted += await this.sessions.reseal(this.keys.currentKeyId);

    const prunedKeys = this.keys.source === 'file' ? this.keys.prune(await this.keysInUse()) : [];
    if (prunedKeys.length) onProgress(`Removed key(s) no secret uses any more: ${prunedKeys.join(', ')}.`);
    await this.audit.record({
      actor: SYSTEM_PRINCIPAL.name,
      actorRole: 'admin',
      action: 'encryption_key.rotate',
      result: 'success',
      detail: { keyId: this.keys.currentKeyId, reencrypted, resumed, prunedKeys },
    });
    return { keyId: this.keys.currentKeyId, resumed, reencrypted, prunedKeys };
  }

  private async pending(): Promise<{ id: string; entity: Sealed }[]> {
    const out: { id: string; entity: Sealed }[] = [];
    for (const entity of SEALED) {
      const rows = await this.sealedRows(entity);
      out.push(
        ...rows
          .filter((r) => SecretBox.keyIdOf(r.secretCiphertext as string) !== this.keys.currentKeyId)
          .map((r) => ({ id: r.id, entity })),
      );
    }
    return out;
  }

  private async keysInUse(): Promise<Set<string>> {
    const used = new Set<string>();
    for (const entity of SEALED)
      for (const r of await this.sealedRows(entity)) used.add(SecretBox.keyIdOf(r.secretCiphertext as string) ?? '');
    for (const key of await this.sessions.keysInUse()) used.add(key);
    return used;
  }

  private sealedRows(entity: Sealed): Promise<{ id: string; secretCiphertext: string | null }[]> {
    return this.db.reader.find(entity as typeof ConnectionTargetEntity, {
      select: { id: true, secretCiphertext: true },
      where: { secretCiphertext: Not(IsNull()) },
    });
  }
}
