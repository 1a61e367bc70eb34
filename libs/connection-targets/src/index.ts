export {
  ConnectionTargetsService,
  type ConnectionTargetView,
  type ExpiringCredential,
} from './connection-targets.service.js';
export {
  CreateConnectionTargetSchema,
  UpdateConnectionTargetSchema,
  type CreateConnectionTarget,
  type UpdateConnectionTarget,
} from './connection-target.schemas.js';
export { KeyStore, keyIdOf, KEY_FILE_NAME } from './key-store.js';
export { SecretBox, SecretUnreadableError } from './secret-box.js';
export { KeyRotation, type RotationReport } from './key-rotation.service.js';
export { ConnectionTargetsModule } from './connection-targets.module.js';
export { DelegatedSessions, type SignInView } from './delegated/delegated-sessions.js';
export {
  SignInService,
  type AuthorizeStart,
  type DeviceCodeStart,
  type DeviceCodeOutcome,
} from './delegated/sign-in.service.js';
