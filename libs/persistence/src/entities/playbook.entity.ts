import { Column, Entity, PrimaryColumn } from 'typeorm';
import { NameColumn, TimeColumn } from './columns.js';

/** A playbook's identity; its content lives in its versions. */
@Entity('playbooks')
export class PlaybookEntity {
  @PrimaryColumn('varchar', { length: 63 }) id!: string;
  @NameColumn() name!: string;
  @Column('integer') currentVersion!: number;
  /** Alert-fired automation: off until an author or admin turns it on (see the automation* columns). */
  @Column('boolean', { default: false }) enabled!: boolean;
  /** Where the current version came from: `file` (the playbooks folder) or `api`. */
  @Column('varchar', { length: 8 }) source!: string;
  @Column('varchar', { length: 1000, nullable: true }) file!: string | null;
  /** Who last turned automation on or off, when and why (null: nobody yet). */
  @NameColumn({ nullable: true }) automationBy!: string | null;
  @TimeColumn({ nullable: true }) automationAt!: string | null;
  @Column('varchar', { length: 500, nullable: true }) automationReason!: string | null;
  @TimeColumn() createdAt!: string;
  @TimeColumn() updatedAt!: string;
  @TimeColumn({ nullable: true }) deletedAt!: string | null;
}
