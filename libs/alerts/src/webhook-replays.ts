import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { Database, WebhookSignatureEntity } from '@riposte/persistence';
import { REPLAY_WINDOW_MS } from './webhook-signature.js';

const PRUNE_EVERY_MS = 60_000;

/**
 * Each webhook signature is accepted once, across restarts and processes: the first insert of
 * its hash wins, a second is a replay. Entries older than the replay window (whose timestamps
 * are refused anyway) are pruned.
 */
@Injectable()
export class WebhookReplays {
  private lastPrune = 0;

  constructor(private readonly db: Database) {}

  /** True the first time a signature is seen. */
  async accept(signature: string, now = Date.now()): Promise<boolean> {
    const signatureHash = createHash('sha256').update(signature).digest('hex');
    const prune = now - this.lastPrune > PRUNE_EVERY_MS;
    if (prune) this.lastPrune = now;
    try {
      await this.db.transaction(async (m) => {
        if (prune)
          await m.delete(WebhookSignatureEntity, {
            receivedAt: LessThan(new Date(now - 2 * REPLAY_WINDOW_MS).toISOString()),
          });
        await m.insert(WebhookSignatureEntity, { signatureHash, receivedAt: new Date(now).toISOString() });
      });
      return true;
    } catch (error) {
      if (Database.isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
