import Type from 'typebox';
import { ErrorInfo, Json, Nullable, Ref, Role, Time } from './openapi-schemas.js';

/*
 * The schemas of the OpenAPI document for administration and the session: connection targets
 * and their sign-ins, guardrails, API keys, the audit trail, notification channels, export
 * sinks, the caller and the service's health.
 */

export const ConnectionTarget = Type.Object({
  name: Type.String(),
  tenantId: Type.String(),
  clientId: Nullable(Type.String()),
  cloud: Type.Enum(['public', 'usgov', 'china', 'custom']),
  endpoints: Type.Record(Type.String(), Type.String()),
  scopes: Type.Record(Type.String(), Type.String()),
  auth: Type.Object({
    type: Type.String(),
    hasSecret: Type.Boolean(),
    expiresAt: Nullable(Time),
    certificateThumbprint: Type.Optional(Type.String()),
    clientId: Type.Optional(Nullable(Type.String())),
  }),
  createdAt: Time,
  updatedAt: Time,
});
export const ConnectionTest = Type.Object({
  ok: Type.Boolean(),
  resources: Type.Array(
    Type.Object({
      resource: Type.String(),
      ok: Type.Boolean(),
      grantedRoles: Type.Array(Type.String()),
      missingRoles: Type.Array(Type.String()),
      error: Type.Optional(ErrorInfo),
    }),
  ),
  actions: Type.Array(
    Type.Object({
      action: Type.String(),
      ready: Type.Boolean(),
      missing: Type.Array(Type.Object({ resource: Type.String(), role: Type.String(), fix: Type.String() })),
    }),
  ),
});
export const Guardrails = Type.Object({
  protected: Type.Array(Ref('ProtectedEntity')),
  protectDirectoryRoles: Type.Boolean(),
  protectOwnApp: Type.Boolean(),
  maxEntitiesPerRun: Type.Integer(),
  budgets: Type.Record(Type.String(), Type.Object({ limit: Type.Integer(), windowSeconds: Type.Integer() })),
  automation: Ref('Automation'),
});
export const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  prefix: Type.String(),
  createdBy: Nullable(Type.String()),
  createdAt: Time,
  lastUsedAt: Nullable(Time),
});
export const ApiKeyCreated = Type.Object({
  ...ApiKey.properties,
  key: Type.String({ description: 'Shown once, stored hashed.' }),
});
export const AuditRecord = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  at: Time,
  actor: Type.String(),
  actorRole: Type.String(),
  action: Type.String(),
  result: Type.Enum(['success', 'failure', 'denied', 'planned']),
  targetEntity: Nullable(Type.String()),
  connectionTarget: Nullable(Type.String()),
  runId: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  detail: Nullable(Type.Record(Type.String(), Json)),
});
export const AuditVerification = Type.Object({
  ok: Type.Boolean({ description: 'True when every record matches its hash and links to the one before it.' }),
  checked: Type.Integer({ description: 'Records checked before the end or the first broken one.' }),
  head: Type.String({
    description: 'The hash of the last good record: kept elsewhere, it also reveals a cut-off tail.',
  }),
  firstBroken: Type.Optional(
    Type.Object({
      seq: Type.Integer(),
      id: Type.String(),
      reason: Type.String({ description: 'What does not match, in words.' }),
    }),
  ),
});
export const Me = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  kind: Type.Enum(['api_key', 'user', 'system']),
});
export const AuthConfig = Type.Object({
  apiKey: Type.Boolean({ description: 'API keys are always accepted.' }),
  entra: Type.Optional(
    Type.Object(
      {
        clientId: Type.String({ description: "The console's app registration (SPA platform)." }),
        authority: Type.String({ description: 'e.g. https://login.microsoftonline.com/{tenant-id}' }),
        scopes: Type.Array(Type.String(), { description: 'What the console asks for: a token for this API.' }),
      },
      { description: 'Present when Entra ID sign-in is configured (RIPOSTE_OIDC_CLIENT_ID).' },
    ),
  ),
});
export const Health = Type.Object({
  status: Type.String(),
  info: Type.Optional(Json),
  error: Type.Optional(Json),
  details: Json,
});
export const SignInStart = Type.Object({
  url: Type.String({ description: 'The sign-in page to open in a browser (PKCE, one-time state).' }),
  redirectUri: Type.String(),
  expiresAt: Time,
});
const deviceCodeFields = {
  userCode: Type.String(),
  verificationUri: Type.String(),
  message: Type.String({ description: "Entra ID's own instructions, in words." }),
  expiresAt: Time,
  intervalSeconds: Type.Integer(),
};
export const DeviceCodeStart = Type.Object(deviceCodeFields);
export const DeviceCodeOutcome = Type.Union(
  [
    Type.Object({ status: Type.Literal('signed_in'), connectionTarget: Ref('ConnectionTarget') }),
    Type.Object({ status: Type.Literal('pending'), ...deviceCodeFields }),
  ],
  { description: 'Signed in (200), or still waiting for the person to enter the code (202).' },
);
export const SignInRedirect = Type.Object({ message: Type.String(), connectionTarget: Ref('ConnectionTarget') });
export const NotificationChannel = Type.Object({
  name: Type.String(),
  kind: Type.Enum(['teams', 'slack', 'email', 'webhook']),
  host: Nullable(Type.String({ description: "The webhook's host only: the rest of the URL is the secret." })),
  hasUrl: Type.Boolean(),
  hasToken: Type.Boolean(),
  connectionTarget: Nullable(Type.String()),
  mailbox: Nullable(Type.String()),
  to: Type.Array(Type.String()),
  createdAt: Time,
  updatedAt: Time,
});
export const NotificationReceipt = Type.Object({
  channel: Type.String(),
  kind: Type.String(),
  status: Type.Integer({ description: 'The HTTP status the channel answered.' }),
});
export const ExportSink = Type.Object({
  name: Type.String(),
  type: Type.Enum(['syslog', 'splunkHec', 'azureMonitor']),
  enabled: Type.Boolean(),
  settings: Type.Record(Type.String(), Json, { description: 'By type (never a secret): see docs/API.md.' }),
  hasToken: Type.Boolean(),
  status: Type.Enum(['ok', 'retrying', 'error', 'disabled', 'idle']),
  message: Nullable(Type.String()),
  cursor: Type.Integer({ description: 'The seq of the last event delivered.' }),
  lag: Type.Integer({ description: 'Events waiting behind the cursor.' }),
  delivered: Type.Integer(),
  deadLetters: Type.Integer(),
  failures: Type.Integer(),
  lastAttemptAt: Nullable(Time),
  lastSuccessAt: Nullable(Time),
  nextAttemptAt: Nullable(Time),
  createdAt: Time,
  updatedAt: Time,
});
