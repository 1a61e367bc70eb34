import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Parked runs are found by the database, not by memory: what each parked step waits for
 * (`waits`), a version that fences every run write, a lease for the process driving a run, an
 * index to find due runs by time, and one decision per approval (a unique key in the inbox).
 */
export class ParkedRuns1764892800000 implements MigrationInterface {
  name = 'ParkedRuns1764892800000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('runs', [
      new TableColumn({ name: 'waits', type: 'text', isNullable: true }),
      new TableColumn({ name: 'version', type: 'integer', default: 0 }),
      new TableColumn({ name: 'leaseOwner', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn({ name: 'leaseUntil', type: 'varchar', length: '32', isNullable: true }),
    ]);
    await q.createIndex('runs', new TableIndex({ name: 'idx_runs_wake', columnNames: ['status', 'wakeAt'] }));
    await q.addColumn(
      'run_inbox',
      new TableColumn({ name: 'dedupeKey', type: 'varchar', length: '200', isNullable: true }),
    );
    await q.createIndex(
      'run_inbox',
      new TableIndex({ name: 'uq_run_inbox_dedupe', columnNames: ['runId', 'dedupeKey'], isUnique: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('run_inbox', 'uq_run_inbox_dedupe');
    await q.dropColumn('run_inbox', 'dedupeKey');
    await q.dropIndex('runs', 'idx_runs_wake');
    for (const column of ['leaseUntil', 'leaseOwner', 'version', 'waits']) await q.dropColumn('runs', column);
  }
}
