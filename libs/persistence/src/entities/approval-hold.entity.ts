import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { IdColumn, NameColumn, TimeColumn } from './columns.js';

/**
 * A step held back by a guardrail until an analyst decides: a budget used up, or a run about to
 * touch more entities than allowed, or alert-fired automation paused. The run is parked until
 * the decision, across restarts.
 */
@Entity('approval_holds')
@Index('uq_holds_run_step_kind', ['runId', 'stepKey', 'kind'], { unique: true })
export class ApprovalHoldEntity {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @IdColumn() runId!: string;
  @NameColumn() stepKey!: string;
  /** budget | blast_radius | paused */
  @Column('varchar', { length: 16 }) kind!: string;
  @Column('varchar', { length: 2000 }) prompt!: string;
  /** pending | approved | rejected */
  @Column('varchar', { length: 16 }) status!: string;
  @NameColumn({ nullable: true }) decidedBy!: string | null;
  @Column('varchar', { length: 2000, nullable: true }) comment!: string | null;
  @TimeColumn() createdAt!: string;
  @TimeColumn({ nullable: true }) decidedAt!: string | null;
}
