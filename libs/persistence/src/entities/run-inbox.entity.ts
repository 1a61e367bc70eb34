import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { IdColumn, JsonColumn, TimeColumn } from './columns.js';

/**
 * Events for a run that arrived while it was not in memory (an approval decision): the driver
 * delivers them when it next wakes the run, and deletes them with the snapshot that holds them.
 */
@Entity('run_inbox')
@Index('idx_run_inbox_run', ['runId'])
@Index('uq_run_inbox_dedupe', ['runId', 'dedupeKey'], { unique: true })
export class RunInboxEntity {
  @PrimaryGeneratedColumn('increment') seq!: number;
  @IdColumn() runId!: string;
  @JsonColumn() event!: Record<string, unknown>;
  /** One event per key and run (one decision per approval step); null for events that may repeat. */
  @Column('varchar', { length: 200, nullable: true }) dedupeKey!: string | null;
  @TimeColumn() createdAt!: string;
}
