import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/** The budget check counts a connection target's recent effects of one action before every destructive call: indexed. */
export class EffectBudgetIndex1764547200000 implements MigrationInterface {
  name = 'EffectBudgetIndex1764547200000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'effects',
      new TableIndex({ name: 'idx_effects_budget', columnNames: ['action', 'connectionTarget', 'intendedAt'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('effects', 'idx_effects_budget');
  }
}
