import { type MigrationInterface, type QueryRunner, Table, TableIndex, type TableColumnOptions } from 'typeorm';

const text = (name: string, length: number, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const time = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '32',
  isNullable: nullable,
});
const int = (name: string): TableColumnOptions => ({ name, type: 'integer', default: 0 });

/** The SIEM export: the event stream, the collector's positions, the push sinks; and indexes the collector reads by. */
export class ExportStream1764892900000 implements MigrationInterface {
  name = 'ExportStream1764892900000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'export_events',
        columns: [
          { name: 'seq', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          text('key', 120),
          text('type', 32),
          time('at'),
          { name: 'data', type: 'text' },
        ],
        indices: [
          { name: 'uq_export_events_key', columnNames: ['key'], isUnique: true },
          { name: 'idx_export_events_at', columnNames: ['at'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'export_sources',
        columns: [
          { name: 'source', type: 'varchar', length: '32', isPrimary: true },
          text('position', 40),
          time('updatedAt'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'export_sinks',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          text('name', 63),
          text('type', 16),
          { name: 'enabled', type: 'boolean', default: true },
          { name: 'settings', type: 'text', isNullable: true },
          { name: 'secretCiphertext', type: 'text', isNullable: true },
          int('cursor'),
          text('status', 16),
          text('message', 1000, true),
          int('delivered'),
          int('deadLetters'),
          int('failures'),
          time('lastAttemptAt', true),
          time('lastSuccessAt', true),
          time('nextAttemptAt', true),
          text('createdBy', 200, true),
          time('createdAt'),
          time('updatedAt'),
        ],
        uniques: [{ name: 'uq_export_sinks_name', columnNames: ['name'] }],
      }),
    );
    await q.createIndex('runs', new TableIndex({ name: 'idx_runs_ended', columnNames: ['endedAt'] }));
    await q.createIndex('effects', new TableIndex({ name: 'idx_effects_settled', columnNames: ['settledAt'] }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('effects', 'idx_effects_settled');
    await q.dropIndex('runs', 'idx_runs_ended');
    for (const table of ['export_sinks', 'export_sources', 'export_events']) await q.dropTable(table);
  }
}
