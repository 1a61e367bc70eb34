import { Column, Entity, PrimaryColumn } from 'typeorm';
import { NameColumn, TimeColumn } from './columns.js';

@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @NameColumn() name!: string;
  @Column('varchar', { length: 16 }) role!: string;
  /** SHA-256 of the key; the key itself is shown once and never stored. */
  @Column('varchar', { length: 64, unique: true }) hash!: string;
  /** The first characters of the key, so people can tell their keys apart. */
  @Column('varchar', { length: 16 }) prefix!: string;
  @NameColumn({ nullable: true }) createdBy!: string | null;
  @TimeColumn() createdAt!: string;
  @TimeColumn({ nullable: true }) lastUsedAt!: string | null;
  @TimeColumn({ nullable: true }) revokedAt!: string | null;
  /** After this the key stops working (null: no expiry). */
  @TimeColumn({ nullable: true }) expiresAt!: string | null;
}
