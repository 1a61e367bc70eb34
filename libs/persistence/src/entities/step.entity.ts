import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { IdColumn, JsonColumn, NameColumn, TimeColumn } from './columns.js';

@Entity('steps')
@Index('uq_steps_run_key', ['runId', 'stepKey'], { unique: true })
export class StepEntity {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @IdColumn() runId!: string;
  /** Order of first appearance in the run. */
  @Column('integer') position!: number;
  /** Unique within a run: the step id, plus the item index inside a for-each. */
  @NameColumn() stepKey!: string;
  @NameColumn() stepId!: string;
  @NameColumn({ nullable: true }) action!: string | null;
  /** The connection target the step acts through (a playbook step may override the run's). */
  @NameColumn({ nullable: true }) connectionTarget!: string | null;
  @Column('varchar', { length: 16 }) status!: string;
  @Column('integer') attempts!: number;
  @JsonColumn() input!: Record<string, unknown> | null;
  @JsonColumn() output!: unknown;
  @JsonColumn() error!: { code: string; message: string } | null;
  @TimeColumn({ nullable: true }) startedAt!: string | null;
  @TimeColumn({ nullable: true }) endedAt!: string | null;
}
