import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { NameColumn, TimeColumn } from './columns.js';

/** A user, group, machine or machine tag that no action may touch. */
@Entity('protected_entities')
@Index('uq_protected_kind_value', ['kind', 'value'], { unique: true })
export class ProtectedEntityEntity {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  /** user | group | machine | machineTag */
  @Column('varchar', { length: 16 }) kind!: string;
  /** Lower-cased: a UPN or object id, a group id, a machine id or DNS name, a tag. */
  @Column('varchar', { length: 300 }) value!: string;
  @Column('varchar', { length: 500, nullable: true }) reason!: string | null;
  @NameColumn({ nullable: true }) createdBy!: string | null;
  @TimeColumn() createdAt!: string;
}
