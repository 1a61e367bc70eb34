import { Global, Module } from '@nestjs/common';
import { ApprovalHolds } from './approval-holds.js';
import { AutomationSwitch } from './automation-switch.js';
import { Guardrails } from './guardrails.js';
import { ProtectionService } from './protection.service.js';
import { SettingsStore } from './settings-store.js';

@Global()
@Module({
  providers: [SettingsStore, ProtectionService, ApprovalHolds, AutomationSwitch, Guardrails],
  exports: [SettingsStore, ProtectionService, ApprovalHolds, AutomationSwitch, Guardrails],
})
export class GuardrailsModule {}
