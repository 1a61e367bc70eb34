import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimeColumn } from './columns.js';

/** How far the export collector has read one source table; moved in the transaction that appends its events. */
@Entity('export_sources')
export class ExportSourceEntity {
  @PrimaryColumn('varchar', { length: 32 }) source!: string;
  /** A sequence number or an ISO time, depending on the source. */
  @Column('varchar', { length: 40 }) position!: string;
  @TimeColumn() updatedAt!: string;
}
