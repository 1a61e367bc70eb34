import { Entity, PrimaryColumn } from 'typeorm';
import { JsonColumn, NameColumn, TimeColumn } from './columns.js';

/** Settings changed at run time through the API (the kill switch, guardrail options). */
@Entity('settings')
export class SettingEntity {
  @PrimaryColumn('varchar', { length: 100 }) key!: string;
  @JsonColumn() value!: Record<string, unknown> | null;
  @NameColumn({ nullable: true }) updatedBy!: string | null;
  @TimeColumn() updatedAt!: string;
}
