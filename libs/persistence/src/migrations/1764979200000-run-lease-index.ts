import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * The runs somebody holds a claim on, found by an index: at start the service lets go of the
 * claims a killed process left, and without one that read every run (its snapshot's pages
 * included): seconds with 100,000 parked runs. Partial, so it holds only the runs being driven.
 */
export class RunLeaseIndex1764979200000 implements MigrationInterface {
  name = 'RunLeaseIndex1764979200000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'runs',
      new TableIndex({ name: 'idx_runs_lease', columnNames: ['leaseOwner'], where: '"leaseOwner" IS NOT NULL' }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('runs', 'idx_runs_lease');
  }
}
