import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { JsonColumn, NameColumn, TimeColumn } from './columns.js';

@Entity('idempotency_records')
@Index('uq_idempotency_principal_key', ['principal', 'key'], { unique: true })
export class IdempotencyRecordEntity {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  /** The API key id that sent the request: keys are scoped per caller. */
  @NameColumn() principal!: string;
  @Column('varchar', { length: 255 }) key!: string;
  @Column('varchar', { length: 64 }) requestHash!: string;
  @Column('integer', { nullable: true }) status!: number | null;
  @JsonColumn() response!: unknown;
  @TimeColumn() createdAt!: string;
}
