export { FakeCloud, type FakeCloudEndpoints, type FakeCloudOptions } from './fake-cloud.js';
export { createClientCertificate, createPki, loadPki, type ClientCertificate, type TestPki } from './pki.js';
export {
  DEMO,
  DEMO_ALERTS,
  DEMO_APP_NAME,
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEMO_DIRECTORY_ROLES,
  DEMO_FILES,
  DEMO_GROUPS,
  DEMO_SERVICE_PRINCIPALS,
  DEMO_INCIDENTS,
  DEMO_MACHINES,
  DEMO_MANAGED_IDENTITY_CLIENT_ID,
  DEMO_ROLES,
  DEMO_TENANT_DOMAINS,
  DEMO_TENANT_ID,
  DEMO_USERS,
  GLOBAL_ADMIN_TEMPLATE_ID,
  SECURITY_ADMIN_TEMPLATE_ID,
} from './demo-seed.js';
export { FAULT_PRESETS, type FaultEffect, type FaultHandle, type FaultPreset, type FaultSpec } from './faults.js';
export { ACTION_OUTCOMES, type ActionOutcome, type ActionScriptInput } from './machine-actions.js';
export type { RequestFilter, RequestRecord } from './recorder.js';
export { ROLE_TEMPLATES, type TenantData } from './state.js';
export type { BatchOrder } from './graph-batch.js';
export { apiClient } from './testing.js';
export type * from './model.js';
export type { FakeRequest, Service, ResourceName, TokenClaims } from './types.js';
export type { UserSignInInput } from './user-sign-in.js';
export type { DataCollectionRuleInput, IngestedRecord } from './monitor.routes.js';
