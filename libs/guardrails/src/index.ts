export { AwaitingDecision, Guardrails, type IntentLimits } from './guardrails.js';
export { ProtectionService, PROTECTED_KINDS, type ProtectedKind, type ProtectedView } from './protection.service.js';
export { ApprovalHolds, type HoldKind, type HoldStatus } from './approval-holds.js';
export { AutomationSwitch, type AutomationState } from './automation-switch.js';
export { SettingsStore } from './settings-store.js';
export {
  DEFAULT_SETTINGS,
  PRIVILEGED_ROLE_TEMPLATES,
  GuardrailsFileSchema,
  mergeSettings,
  readGuardrailsFile,
  type GuardrailSettings,
  type GuardrailsFile,
  type Budget,
} from './guardrail-settings.js';
export { GuardrailsModule } from './guardrails.module.js';
