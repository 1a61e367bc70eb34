import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { IdColumn, JsonColumn, NameColumn, TimeColumn } from './columns.js';

/**
 * The effect ledger: one row per destructive call, written *before* the call is sent.
 * After a crash or a restarted actor, a row that is not settled tells the engine to ask
 * Azure what happened instead of sending the call again.
 */
@Entity('effects')
@Index('uq_effects_run_step', ['runId', 'stepKey'], { unique: true })
@Index('idx_effects_budget', ['action', 'connectionTarget', 'intendedAt'])
export class EffectEntity {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @IdColumn() runId!: string;
  @NameColumn() stepKey!: string;
  @NameColumn() action!: string;
  @NameColumn() connectionTarget!: string;
  @Column('varchar', { length: 500 }) entity!: string;
  /** intended → sent → succeeded | failed */
  @Column('varchar', { length: 16 }) status!: string;
  /** What Azure gave back to follow the effect, e.g. a Defender machine action id. */
  @Column('varchar', { length: 200, nullable: true }) reference!: string | null;
  @JsonColumn() detail!: Record<string, unknown> | null;
  @TimeColumn() intendedAt!: string;
  @TimeColumn({ nullable: true }) settledAt!: string | null;
}
