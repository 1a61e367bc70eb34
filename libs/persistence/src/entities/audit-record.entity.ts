import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { IdColumn, JsonColumn, NameColumn, TimeColumn } from './columns.js';

@Entity('audit_records')
export class AuditRecordEntity {
  /** Insertion order; the hash chain follows it. */
  @PrimaryGeneratedColumn('increment') seq!: number;
  @IdColumn({ unique: true }) id!: string;
  @TimeColumn() at!: string;
  @NameColumn() actor!: string;
  @Column('varchar', { length: 16 }) actorRole!: string;
  @NameColumn() action!: string;
  @Column('varchar', { length: 16 }) result!: string;
  @Column('varchar', { length: 500, nullable: true }) targetEntity!: string | null;
  @NameColumn({ nullable: true }) connectionTarget!: string | null;
  @IdColumn({ nullable: true }) runId!: string | null;
  @NameColumn({ nullable: true }) requestId!: string | null;
  @JsonColumn() detail!: Record<string, unknown> | null;
  @Column('varchar', { length: 64 }) prevHash!: string;
  @Column('varchar', { length: 64 }) hash!: string;
}
