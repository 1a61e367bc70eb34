import { Column, type ColumnOptions } from 'typeorm';

/*
 * Column helpers that keep the schema portable between SQLite and PostgreSQL:
 * times are ISO-8601 UTC strings (they sort correctly as text in both), ids are
 * application-generated UUID strings, JSON is stored as text. Entities declare no column
 * defaults (the migrations do): with one, TypeORM reads every inserted row back.
 */
export const IdColumn = (options: ColumnOptions = {}) => Column('varchar', { length: 36, ...options });
export const TimeColumn = (options: ColumnOptions = {}) => Column('varchar', { length: 32, ...options });
export const JsonColumn = (options: ColumnOptions = {}) => Column('simple-json', { nullable: true, ...options });
export const NameColumn = (options: ColumnOptions = {}) => Column('varchar', { length: 200, ...options });
