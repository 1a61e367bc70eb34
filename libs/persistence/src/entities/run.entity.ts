import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { IdColumn, JsonColumn, NameColumn, TimeColumn } from './columns.js';

@Entity('runs')
@Index('idx_runs_status', ['status'])
@Index('idx_runs_created', ['createdAt'])
@Index('idx_runs_parent', ['parentRunId'])
@Index('idx_runs_throttle', ['throttleKey'])
@Index('idx_runs_alert', ['alertId'])
export class RunEntity {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @Column('varchar', { length: 16 }) kind!: string;
  @Column('varchar', { length: 16 }) status!: string;
  @NameColumn({ nullable: true }) playbookId!: string | null;
  @Column('integer', { nullable: true }) playbookVersion!: number | null;
  @Column('varchar', { length: 16 }) triggerType!: string;
  @NameColumn({ nullable: true }) triggerBy!: string | null;
  /** The role the trigger acted with, for the audit records of the run's actions. */
  @Column('varchar', { length: 16, nullable: true }) triggerRole!: string | null;
  @IdColumn({ nullable: true }) alertId!: string | null;
  @IdColumn({ nullable: true }) revertOf!: string | null;
  /** For a run started by a playbook's call step: the calling run and step. */
  @IdColumn({ nullable: true }) parentRunId!: string | null;
  @NameColumn({ nullable: true }) parentStepKey!: string | null;
  /** For alert-fired runs with a throttle: the playbook and entity key; one run per key and window. */
  @Column('varchar', { length: 500, nullable: true }) throttleKey!: string | null;
  /** When a waiting run has a timer due (a wait, an approval timeout). */
  @TimeColumn({ nullable: true }) wakeAt!: string | null;
  @NameColumn({ nullable: true }) connectionTarget!: string | null;
  @Column('boolean') dryRun!: boolean;
  @Column('varchar', { length: 1000, nullable: true }) reason!: string | null;
  @JsonColumn() input!: Record<string, unknown> | null;
  @JsonColumn() output!: Record<string, unknown> | null;
  @JsonColumn() error!: { code: string; message: string } | null;
  /** The engine's persisted state (an XState snapshot for playbook runs). */
  @Column('text', { nullable: true }) snapshot!: string | null;
  @TimeColumn() createdAt!: string;
  @TimeColumn({ nullable: true }) startedAt!: string | null;
  @TimeColumn({ nullable: true }) endedAt!: string | null;
}
