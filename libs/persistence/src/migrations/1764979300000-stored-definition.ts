import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Each playbook version keeps, beside its YAML, the definition that passed every check (JSON).
 * A version read back after a restart is then taken from it, not parsed and checked again on the
 * event loop: for the largest playbooks that took longer than any request may stall the service.
 * Versions stored before keep NULL and are checked from their YAML, as they were.
 */
export class StoredDefinition1764979300000 implements MigrationInterface {
  name = 'StoredDefinition1764979300000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('playbook_versions', new TableColumn({ name: 'definition', type: 'text', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('playbook_versions', 'definition');
  }
}
