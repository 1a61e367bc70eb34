import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { IdColumn, JsonColumn, NameColumn, TimeColumn } from './columns.js';

/** The append-only timeline of a run: steps started and ended, approvals asked and given, waits. */
@Entity('run_events')
@Index('idx_run_events_run', ['runId'])
export class RunEventEntity {
  @PrimaryGeneratedColumn('increment') seq!: number;
  @IdColumn() runId!: string;
  @TimeColumn() at!: string;
  @Column('varchar', { length: 32 }) type!: string;
  @NameColumn({ nullable: true }) stepKey!: string | null;
  @JsonColumn() detail!: Record<string, unknown> | null;
}
