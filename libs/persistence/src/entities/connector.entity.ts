import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { NameColumn, TimeColumn } from './columns.js';

/** A polling feed (alerts or incidents) of one connection target, and where it stands. */
@Entity('connectors')
@Index('uq_connectors_target_feed', ['connectionTarget', 'feed'], { unique: true })
export class ConnectorEntity {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @NameColumn() connectionTarget!: string;
  @Column('varchar', { length: 16 }) feed!: string;
  @Column('boolean', { default: false }) enabled!: boolean;
  @Column('integer') intervalSeconds!: number;
  @Column('integer') lookbackSeconds!: number;
  /** The highest lastUpdateDateTime fully read: the next poll asks from here (minus an overlap). */
  @Column('varchar', { length: 40, nullable: true }) watermark!: string | null;
  @Column('varchar', { length: 16 }) status!: string;
  @Column('varchar', { length: 1000, nullable: true }) message!: string | null;
  @TimeColumn({ nullable: true }) lastPollAt!: string | null;
  @TimeColumn({ nullable: true }) lastSuccessAt!: string | null;
  @TimeColumn({ nullable: true }) cooldownUntil!: string | null;
  @Column('integer', { default: 0 }) fetched!: number;
  @Column('integer', { default: 0 }) totalFetched!: number;
}
