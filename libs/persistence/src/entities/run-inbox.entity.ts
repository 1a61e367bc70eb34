import { Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { IdColumn, JsonColumn, TimeColumn } from './columns.js';

/**
 * Events for a run that arrived while it was not in memory (an approval decision): the driver
 * delivers them when it next wakes the run, and deletes them with the snapshot that holds them.
 */
@Entity('run_inbox')
@Index('idx_run_inbox_run', ['runId'])
export class RunInboxEntity {
  @PrimaryGeneratedColumn('increment') seq!: number;
  @IdColumn() runId!: string;
  @JsonColumn() event!: Record<string, unknown>;
  @TimeColumn() createdAt!: string;
}
