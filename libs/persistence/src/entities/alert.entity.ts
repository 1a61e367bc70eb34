import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { JsonColumn, NameColumn, TimeColumn } from './columns.js';

/**
 * An alert as received. The same provider alert with the same lastUpdateDateTime is the same
 * alert: a unique index makes a second copy fail to insert, however many arrive at once.
 */
@Entity('alerts')
@Index('uq_alerts_provider_update', ['providerAlertId', 'lastUpdateDateTime'], { unique: true })
@Index('idx_alerts_received', ['receivedAt'])
export class AlertEntity {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @Column('varchar', { length: 200 }) providerAlertId!: string;
  @Column('varchar', { length: 40 }) lastUpdateDateTime!: string;
  /** A later version of an alert already seen. */
  @Column('boolean') isUpdate!: boolean;
  @Column('varchar', { length: 16 }) source!: string;
  @NameColumn({ nullable: true }) connectionTarget!: string | null;
  @Column('varchar', { length: 36, nullable: true }) tenantId!: string | null;
  @Column('varchar', { length: 16 }) severity!: string;
  @Column('varchar', { length: 32 }) status!: string;
  @Column('varchar', { length: 500 }) title!: string;
  @NameColumn({ nullable: true }) serviceSource!: string | null;
  @TimeColumn() receivedAt!: string;
  @JsonColumn() normalized!: Record<string, unknown>;
  @Column('text') raw!: string;
}
