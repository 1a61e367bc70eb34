import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { NameColumn, TimeColumn } from './columns.js';

/** Every version ever loaded, kept: a run stays pinned to the version (and hash) it started on. */
@Entity('playbook_versions')
@Index('uq_playbook_versions', ['playbookId', 'version'], { unique: true })
export class PlaybookVersionEntity {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @Column('varchar', { length: 63 }) playbookId!: string;
  @Column('integer') version!: number;
  @Column('varchar', { length: 64 }) sha256!: string;
  @Column('text') yaml!: string;
  /** The checked definition as JSON, read back instead of checking the YAML again (NULL before it was kept). */
  @Column('text', { nullable: true }) definition!: string | null;
  @NameColumn({ nullable: true }) createdBy!: string | null;
  @TimeColumn() createdAt!: string;
}
