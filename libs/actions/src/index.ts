export type {
  ActionDefinition,
  ActionContext,
  ActionView,
  PlannedRequest,
  Reconciliation,
  RequiredRole,
} from './action-definition.js';
export { ActionCatalogue } from './action-catalogue.js';
export { ActionRunner } from './action-runner.js';
export {
  toFailure,
  type ActionRequest,
  type ActionResult,
  type CarriedSettle,
  type StepFailure,
} from './action-result.js';
export {
  ConnectionTester,
  type ConnectionTestReport,
  type ResourceReport,
  type ActionReadiness,
  type ArmReport,
} from './connection-tester.js';
export { EffectLedger } from './effect-ledger.js';
export { howToGrant, isSatisfied, RESOURCE_DISPLAY_NAMES } from './required-roles.js';
export { ActionsModule } from './actions.module.js';
