/*
 * A row read with plain SQL (Database.all) gives JSON columns as text and booleans as 0/1 on
 * SQLite; these give the values as TypeORM's entities hold them, on both stores.
 */

/** A `simple-json` column's value: parsed text, or what the driver gave (null when absent). */
export function fromJsonColumn<T>(value: unknown): T | null {
  return typeof value === 'string' ? (JSON.parse(value) as T) : ((value ?? null) as T | null);
}

/** A boolean column's value (SQLite stores 1/0). */
export function fromBooleanColumn(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}
