import { Entity, Index, PrimaryColumn } from 'typeorm';
import { TimeColumn } from './columns.js';

/**
 * A signed webhook request already accepted, by the SHA-256 of its signature: "each signature
 * accepted once" holds across restarts and processes. Kept for the replay window, then pruned.
 */
@Entity('webhook_signatures')
@Index('idx_webhook_signatures_received', ['receivedAt'])
export class WebhookSignatureEntity {
  @PrimaryColumn('varchar', { length: 64 }) signatureHash!: string;
  @TimeColumn() receivedAt!: string;
}
