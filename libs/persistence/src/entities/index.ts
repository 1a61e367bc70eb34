import { AlertEntity } from './alert.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApprovalHoldEntity } from './approval-hold.entity.js';
import { ConnectorEntity } from './connector.entity.js';
import { AuditRecordEntity } from './audit-record.entity.js';
import { ConnectionTargetEntity } from './connection-target.entity.js';
import { DelegatedSessionEntity } from './delegated-session.entity.js';
import { EffectEntity } from './effect.entity.js';
import { ExportEventEntity } from './export-event.entity.js';
import { ExportSinkEntity } from './export-sink.entity.js';
import { ExportSourceEntity } from './export-source.entity.js';
import { SignInRequestEntity } from './sign-in-request.entity.js';
import { IdempotencyRecordEntity } from './idempotency-record.entity.js';
import { NotificationChannelEntity } from './notification-channel.entity.js';
import { RunEntity } from './run.entity.js';
import { PlaybookVersionEntity } from './playbook-version.entity.js';
import { PlaybookEntity } from './playbook.entity.js';
import { ProtectedEntityEntity } from './protected-entity.entity.js';
import { RunEventEntity } from './run-event.entity.js';
import { RunInboxEntity } from './run-inbox.entity.js';
import { SettingEntity } from './setting.entity.js';
import { StepEntity } from './step.entity.js';
import { WebhookSignatureEntity } from './webhook-signature.entity.js';

export {
  AlertEntity,
  ApiKeyEntity,
  ApprovalHoldEntity,
  ProtectedEntityEntity,
  SettingEntity,
  AuditRecordEntity,
  ConnectionTargetEntity,
  ConnectorEntity,
  DelegatedSessionEntity,
  EffectEntity,
  ExportEventEntity,
  ExportSinkEntity,
  ExportSourceEntity,
  IdempotencyRecordEntity,
  NotificationChannelEntity,
  PlaybookEntity,
  PlaybookVersionEntity,
  RunEntity,
  RunEventEntity,
  RunInboxEntity,
  SignInRequestEntity,
  StepEntity,
  WebhookSignatureEntity,
};
export const ENTITIES = [
  AlertEntity,
  ApiKeyEntity,
  ApprovalHoldEntity,
  ProtectedEntityEntity,
  SettingEntity,
  AuditRecordEntity,
  ConnectionTargetEntity,
  ConnectorEntity,
  DelegatedSessionEntity,
  EffectEntity,
  ExportEventEntity,
  ExportSinkEntity,
  ExportSourceEntity,
  IdempotencyRecordEntity,
  NotificationChannelEntity,
  PlaybookEntity,
  PlaybookVersionEntity,
  RunEntity,
  RunEventEntity,
  RunInboxEntity,
  SignInRequestEntity,
  StepEntity,
  WebhookSignatureEntity,
];
