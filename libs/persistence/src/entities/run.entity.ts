import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { IdColumn, JsonColumn, NameColumn, TimeColumn } from './columns.js';

@Entity('runs')
@Index('idx_runs_status', ['status'])
@Index('idx_runs_created', ['createdAt'])
@Index('idx_runs_parent', ['parentRunId'])
@Index('idx_runs_throttle', ['throttleKey'])
@Index('idx_runs_alert', ['alertId'])
@Index('idx_runs_wake', ['status', 'wakeAt'])
@Index('idx_runs_lease', ['leaseOwner'], { where: '"leaseOwner" IS NOT NULL' })
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
  /** When a waiting run is next due (a wait, an approval timeout, a retry, the next check of a machine action): found by the wake-up loop. */
  @TimeColumn({ nullable: true }) wakeAt!: string | null;
  /** What the run's parked steps wait for (a retry's next attempt, a machine action's next check), by step key: JSON, owned by the playbook driver. */
  @Column('text', { nullable: true }) waits!: string | null;
  /** Raised by every write to the run: a write counts only if it changed exactly one row at the version it read. */
  @Column('integer') version!: number;
  /** The process driving the run, until when: a second driver cannot claim it meanwhile. */
  @IdColumn({ nullable: true }) leaseOwner!: string | null;
  @TimeColumn({ nullable: true }) leaseUntil!: string | null;
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
