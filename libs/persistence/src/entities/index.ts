import { AlertEntity } from './alert.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApprovalHoldEntity } from './approval-hold.entity.js';
import { ConnectorEntity } from './connector.entity.js';
import { AuditRecordEntity } from './audit-record.entity.js';
import { ConnectionTargetEntity } from './connection-target.entity.js';
import { EffectEntity } from './effect.entity.js';
import { IdempotencyRecordEntity } from './idempotency-record.entity.js';
import { RunEntity } from './run.entity.js';
import { PlaybookVersionEntity } from './playbook-version.entity.js';
import { PlaybookEntity } from './playbook.entity.js';
import { ProtectedEntityEntity } from './protected-entity.entity.js';
import { RunEventEntity } from './run-event.entity.js';
import { RunInboxEntity } from './run-inbox.entity.js';
import { SettingEntity } from './setting.entity.js';
import { StepEntity } from './step.entity.js';

export { AlertEntity, ApiKeyEntity, ApprovalHoldEntity, ProtectedEntityEntity, SettingEntity, AuditRecordEntity, ConnectionTargetEntity, ConnectorEntity, EffectEntity, IdempotencyRecordEntity, PlaybookEntity, PlaybookVersionEntity, RunEntity, RunEventEntity, RunInboxEntity, StepEntity };
export const ENTITIES = [AlertEntity, ApiKeyEntity, ApprovalHoldEntity, ProtectedEntityEntity, SettingEntity, AuditRecordEntity, ConnectionTargetEntity, ConnectorEntity, EffectEntity, IdempotencyRecordEntity, PlaybookEntity, PlaybookVersionEntity, RunEntity, RunEventEntity, RunInboxEntity, StepEntity];
