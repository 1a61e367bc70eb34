import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Alert-fired automation becomes an explicit, recorded act: who turned it on or off, when and
 * why. Playbooks that were enabled only because their file said so (or said nothing) are turned
 * off: nobody decided to let them act alone.
 */
export class PlaybookAutomation1764806400000 implements MigrationInterface {
  name = 'PlaybookAutomation1764806400000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('playbooks', [
      new TableColumn({ name: 'automationBy', type: 'varchar', length: '200', isNullable: true }),
      new TableColumn({ name: 'automationAt', type: 'varchar', length: '32', isNullable: true }),
      new TableColumn({ name: 'automationReason', type: 'varchar', length: '500', isNullable: true }),
    ]);
    await q.query(`UPDATE playbooks SET enabled = ${q.connection.driver.options.type === 'postgres' ? 'false' : '0'}`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of ['automationReason', 'automationAt', 'automationBy']) await q.dropColumn('playbooks', column);
  }
}
