import { type MigrationInterface, type QueryRunner, Table, type TableColumnOptions } from 'typeorm';

// Written with TypeORM's Table API, not raw SQL, so the same migration runs on SQLite and PostgreSQL.
const id = (name = 'id'): TableColumnOptions => ({ name, type: 'varchar', length: '36', isPrimary: name === 'id' });
const ref = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '36',
  isNullable: nullable,
});
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
const json = (name: string): TableColumnOptions => ({ name, type: 'text', isNullable: true });
const int = (name: string, options: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
  name,
  type: 'integer',
  ...options,
});

export class InitialSchema1732240000000 implements MigrationInterface {
  name = 'InitialSchema1732240000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          id(),
          text('name', 200),
          text('role', 16),
          text('hash', 64),
          text('prefix', 16),
          text('createdBy', 200, true),
          time('createdAt'),
          time('lastUsedAt', true),
          time('revokedAt', true),
        ],
        uniques: [{ name: 'uq_api_keys_hash', columnNames: ['hash'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_records',
        columns: [
          { name: 'seq', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          ref('id'),
          time('at'),
          text('actor', 200),
          text('actorRole', 16),
          text('action', 200),
          text('result', 16),
          text('targetEntity', 500, true),
          text('connectionTarget', 200, true),
          ref('runId', true),
          text('requestId', 200, true),
          json('detail'),
          text('prevHash', 64),
          text('hash', 64),
        ],
        uniques: [{ name: 'uq_audit_records_id', columnNames: ['id'] }],
        indices: [{ name: 'idx_audit_at', columnNames: ['at'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'connection_targets',
        columns: [
          id(),
          text('name', 63),
          ref('tenantId'),
          ref('clientId', true),
          text('cloud', 16),
          json('endpoints'),
          json('scopes'),
          text('authType', 32),
          { name: 'certificatePem', type: 'text', isNullable: true },
          text('certificateThumbprint', 64, true),
          { name: 'secretCiphertext', type: 'text', isNullable: true },
          int('credentialVersion', { default: 1 }),
          time('secretExpiresAt', true),
          time('createdAt'),
          time('updatedAt'),
        ],
        uniques: [{ name: 'uq_connection_targets_name', columnNames: ['name'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'runs',
        columns: [
          id(),
          text('kind', 16),
          text('status', 16),
          text('playbookId', 200, true),
          int('playbookVersion', { isNullable: true }),
          text('triggerType', 16),
          text('triggerBy', 200, true),
          text('triggerRole', 16, true),
          ref('alertId', true),
          ref('revertOf', true),
          ref('parentRunId', true),
          text('parentStepKey', 200, true),
          text('throttleKey', 500, true),
          time('wakeAt', true),
          text('connectionTarget', 200, true),
          { name: 'dryRun', type: 'boolean', default: false },
          text('reason', 1000, true),
          json('input'),
          json('output'),
          json('error'),
          { name: 'snapshot', type: 'text', isNullable: true },
          time('createdAt'),
          time('startedAt', true),
          time('endedAt', true),
        ],
        indices: [
          { name: 'idx_runs_status', columnNames: ['status'] },
          { name: 'idx_runs_created', columnNames: ['createdAt'] },
          { name: 'idx_runs_parent', columnNames: ['parentRunId'] },
          { name: 'idx_runs_throttle', columnNames: ['throttleKey'] },
          { name: 'idx_runs_alert', columnNames: ['alertId'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'steps',
        columns: [
          id(),
          ref('runId'),
          int('position'),
          text('stepKey', 200),
          text('stepId', 200),
          text('action', 200, true),
          text('connectionTarget', 200, true),
          text('status', 16),
          int('attempts', { default: 0 }),
          json('input'),
          json('output'),
          json('error'),
          time('startedAt', true),
          time('endedAt', true),
        ],
        indices: [{ name: 'uq_steps_run_key', columnNames: ['runId', 'stepKey'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'effects',
        columns: [
          id(),
          ref('runId'),
          text('stepKey', 200),
          text('action', 200),
          text('connectionTarget', 200),
          text('entity', 500),
          text('status', 16),
          text('reference', 200, true),
          json('detail'),
          time('intendedAt'),
          time('settledAt', true),
        ],
        indices: [
          { name: 'uq_effects_run_step', columnNames: ['runId', 'stepKey'], isUnique: true },
          { name: 'idx_effects_status', columnNames: ['status'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'run_events',
        columns: [
          { name: 'seq', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          ref('runId'),
          time('at'),
          text('type', 32),
          text('stepKey', 200, true),
          json('detail'),
        ],
        indices: [{ name: 'idx_run_events_run', columnNames: ['runId'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'run_inbox',
        columns: [
          { name: 'seq', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          ref('runId'),
          json('event'),
          time('createdAt'),
        ],
        indices: [{ name: 'idx_run_inbox_run', columnNames: ['runId'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'playbooks',
        columns: [
          { name: 'id', type: 'varchar', length: '63', isPrimary: true },
          text('name', 200),
          int('currentVersion'),
          { name: 'enabled', type: 'boolean', default: true },
          text('source', 8),
          text('file', 1000, true),
          time('createdAt'),
          time('updatedAt'),
          time('deletedAt', true),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'playbook_versions',
        columns: [
          id(),
          text('playbookId', 63),
          int('version'),
          text('sha256', 64),
          { name: 'yaml', type: 'text' },
          text('createdBy', 200, true),
          time('createdAt'),
        ],
        indices: [{ name: 'uq_playbook_versions', columnNames: ['playbookId', 'version'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'alerts',
        columns: [
          id(),
          text('providerAlertId', 200),
          text('lastUpdateDateTime', 40),
          { name: 'isUpdate', type: 'boolean', default: false },
          text('source', 16),
          text('connectionTarget', 200, true),
          ref('tenantId', true),
          text('severity', 16),
          text('status', 32),
          text('title', 500),
          text('serviceSource', 200, true),
          time('receivedAt'),
          json('normalized'),
          { name: 'raw', type: 'text' },
        ],
        indices: [
          { name: 'uq_alerts_provider_update', columnNames: ['providerAlertId', 'lastUpdateDateTime'], isUnique: true },
          { name: 'idx_alerts_received', columnNames: ['receivedAt'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'connectors',
        columns: [
          id(),
          text('connectionTarget', 200),
          text('feed', 16),
          { name: 'enabled', type: 'boolean', default: false },
          int('intervalSeconds'),
          int('lookbackSeconds'),
          text('watermark', 40, true),
          text('status', 16),
          text('message', 1000, true),
          time('lastPollAt', true),
          time('lastSuccessAt', true),
          time('cooldownUntil', true),
          int('fetched', { default: 0 }),
          int('totalFetched', { default: 0 }),
        ],
        indices: [{ name: 'uq_connectors_target_feed', columnNames: ['connectionTarget', 'feed'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'protected_entities',
        columns: [
          id(),
          text('kind', 16),
          text('value', 300),
          text('reason', 500, true),
          text('createdBy', 200, true),
          time('createdAt'),
        ],
        indices: [{ name: 'uq_protected_kind_value', columnNames: ['kind', 'value'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'settings',
        columns: [
          { name: 'key', type: 'varchar', length: '100', isPrimary: true },
          json('value'),
          text('updatedBy', 200, true),
          time('updatedAt'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'approval_holds',
        columns: [
          id(),
          ref('runId'),
          text('stepKey', 200),
          text('kind', 16),
          text('prompt', 2000),
          text('status', 16),
          text('decidedBy', 200, true),
          text('comment', 2000, true),
          time('createdAt'),
          time('decidedAt', true),
        ],
        indices: [{ name: 'uq_holds_run_step_kind', columnNames: ['runId', 'stepKey', 'kind'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'idempotency_records',
        columns: [
          id(),
          text('principal', 200),
          text('key', 255),
          text('requestHash', 64),
          int('status', { isNullable: true }),
          json('response'),
          time('createdAt'),
        ],
        indices: [{ name: 'uq_idempotency_principal_key', columnNames: ['principal', 'key'], isUnique: true }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'idempotency_records',
      'approval_holds',
      'settings',
      'protected_entities',
      'connectors',
      'alerts',
      'playbook_versions',
      'playbooks',
      'run_inbox',
      'run_events',
      'effects',
      'steps',
      'runs',
      'connection_targets',
      'audit_records',
      'api_keys',
    ]) {
      await q.dropTable(table);
    }
  }
}
