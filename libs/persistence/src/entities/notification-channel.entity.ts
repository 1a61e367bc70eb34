import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { JsonColumn, TimeColumn } from './columns.js';

/** Where people are told about runs and approvals: a Teams or Slack webhook, a mailbox, any HTTPS webhook. */
@Entity('notification_channels')
@Index('uq_notification_channels_name', ['name'], { unique: true })
export class NotificationChannelEntity {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @Column('varchar', { length: 63 }) name!: string;
  /** teams | slack | email | webhook */
  @Column('varchar', { length: 16 }) kind!: string;
  /** What is not secret: the e-mail channel's connection target, sender and recipients. */
  @JsonColumn() settings!: Record<string, unknown> | null;
  /** The webhook URL and token, sealed like connection target secrets (the row id as associated data). */
  @Column('text', { nullable: true }) secretCiphertext!: string | null;
  @TimeColumn() createdAt!: string;
  @TimeColumn() updatedAt!: string;
}
