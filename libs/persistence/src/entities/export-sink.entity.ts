import { Column, Entity, PrimaryColumn } from 'typeorm';
import { JsonColumn, NameColumn, TimeColumn } from './columns.js';

/** A push destination of the export stream (syslog, Splunk HEC, Azure Monitor) and where its delivery stands. */
@Entity('export_sinks')
export class ExportSinkEntity {
  @PrimaryColumn('varchar', { length: 36 }) id!: string;
  @Column('varchar', { length: 63, unique: true }) name!: string;
  @Column('varchar', { length: 16 }) type!: string;
  @Column('boolean') enabled!: boolean;
  /** Type-specific settings, none of them secret (host, port, url, format, index...). */
  @JsonColumn() settings!: Record<string, unknown> | null;
  /** AES-256-GCM ciphertext of the sink's token (HEC token), with the row id as associated data. */
  @Column('text', { nullable: true }) secretCiphertext!: string | null;
  /** The last event seq delivered (at least once): delivery resumes after it. */
  @Column('integer') cursor!: number;
  /** ok | retrying | error | disabled | idle */
  @Column('varchar', { length: 16 }) status!: string;
  @Column('varchar', { length: 1000, nullable: true }) message!: string | null;
  @Column('integer') delivered!: number;
  /** Events the receiver refused for good (skipped after being tried alone). */
  @Column('integer') deadLetters!: number;
  @Column('integer') failures!: number;
  @TimeColumn({ nullable: true }) lastAttemptAt!: string | null;
  @TimeColumn({ nullable: true }) lastSuccessAt!: string | null;
  @TimeColumn({ nullable: true }) nextAttemptAt!: string | null;
  @NameColumn({ nullable: true }) createdBy!: string | null;
  @TimeColumn() createdAt!: string;
  @TimeColumn() updatedAt!: string;
}
