import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TimeColumn } from './columns.js';

/**
 * The export stream (`riposte.event/1`): what Riposte saw and did, in the order it was collected
 * from the durable tables (alerts, runs, effects, audit records). `seq` is the cursor of the pull
 * feed and of every sink; `key` makes collecting the same row twice harmless.
 */
@Entity('export_events')
@Index('uq_export_events_key', ['key'], { unique: true })
@Index('idx_export_events_at', ['at'])
export class ExportEventEntity {
  @PrimaryGeneratedColumn('increment') seq!: number;
  @Column('varchar', { length: 120 }) key!: string;
  @Column('varchar', { length: 32 }) type!: string;
  /** When it happened (not when it was collected). */
  @TimeColumn() at!: string;
  /** The event's `data`, as JSON text. */
  @Column('text') data!: string;
}
