import Type, { type TSchema } from 'typebox';

/*
 * What every route answers, for the OpenAPI document (and so for the console's generated
 * client). One table rather than decorators on each controller: a route missing here fails
 * the OpenAPI test, so a new route cannot ship with an undescribed answer.
 */

/** A reference to another schema of the document. */
const Ref = (name: string) => ({ $ref: `#/components/schemas/${name}` }) as unknown as TSchema;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Time = Type.String({ format: 'date-time' });
const Json = Type.Unknown();
const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String({
    description: 'A stable machine-readable reason, e.g. `validation_failed`, `forbidden`, `protected_entity`.',
  }),
  errors: Type.Optional(
    Type.Array(
      Type.Object({
        path: Type.String(),
        message: Type.String(),
        line: Type.Optional(Type.Integer()),
        column: Type.Optional(Type.Integer()),
      }),
    ),
  ),
  requestId: Type.Optional(Type.String()),
});
const Page = (item: string) => Type.Object({ items: Type.Array(Ref(item)), nextCursor: Nullable(Type.String()) });
const RunStatus = Type.Enum(['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled']);
const StepStatus = Type.Enum([
  'pending',
  'running',
  'waiting',
  'succeeded',
  'failed',
  'skipped',
  'planned',
  'cancelled',
]);
const ErrorInfo = Type.Object({ code: Type.String(), message: Type.String() });
const Role = Type.Enum(['viewer', 'analyst', 'author', 'admin', 'ingest']);

const Step = Type.Object({
  id: Type.String(),
  action: Nullable(Type.String()),
  status: StepStatus,
  attempts: Type.Integer(),
  input: Nullable(Type.Record(Type.String(), Json)),
  output: Json,
  error: Nullable(ErrorInfo),
  startedAt: Nullable(Time),
  endedAt: Nullable(Time),
});
const runFields = {
  id: Type.String({ format: 'uuid' }),
  kind: Type.Enum(['response', 'playbook']),
  playbook: Type.Optional(Type.Object({ id: Type.String(), version: Type.Integer() })),
  status: RunStatus,
  trigger: Type.Object({
    type: Type.Enum(['api', 'alert', 'revert', 'playbook']),
    by: Type.Optional(Type.String()),
    alertId: Type.Optional(Type.String()),
    revertOf: Type.Optional(Type.String()),
    parentRunId: Type.Optional(Type.String()),
  }),
  dryRun: Type.Boolean(),
  connectionTarget: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  input: Nullable(Type.Record(Type.String(), Json)),
  output: Nullable(Type.Record(Type.String(), Json)),
  error: Nullable(ErrorInfo),
  createdAt: Time,
  startedAt: Nullable(Time),
  endedAt: Nullable(Time),
};
const RunSummary = Type.Object(runFields);
const WaitingFor = Type.Object({
  step: Type.String(),
  kind: Type.Enum(['approval', 'budget', 'blast_radius', 'paused']),
  prompt: Type.String(),
  approvers: Type.Array(Type.String()),
  deadline: Nullable(Time),
});
const RunDetail = Type.Object({
  ...runFields,
  steps: Type.Array(Ref('Step')),
  waitingFor: Type.Optional(Type.Array(Ref('WaitingFor'))),
  timeline: Type.Optional(
    Type.Array(Type.Object({ at: Time, type: Type.String(), step: Nullable(Type.String()), detail: Json })),
  ),
});
const RunAccepted = Type.Object(
  { runId: Type.String({ format: 'uuid' }), status: Type.Optional(Type.String()) },
  { description: 'The run started (or, with ?wait=, the run itself once it ended).' },
);

const AlertUser = Type.Object({
  userPrincipalName: Nullable(Type.String()),
  azureAdUserId: Nullable(Type.String()),
  accountName: Nullable(Type.String()),
  domainName: Nullable(Type.String()),
  displayName: Nullable(Type.String()),
  roles: Type.Array(Type.String()),
});
const AlertDevice = Type.Object({
  mdeDeviceId: Nullable(Type.String()),
  deviceDnsName: Nullable(Type.String()),
  azureAdDeviceId: Nullable(Type.String()),
  osPlatform: Nullable(Type.String()),
  ipAddresses: Type.Array(Type.String()),
  roles: Type.Array(Type.String()),
});
const alertFields = {
  id: Type.String({ format: 'uuid' }),
  providerAlertId: Type.String(),
  title: Type.String(),
  description: Nullable(Type.String()),
  severity: Type.String(),
  status: Type.String(),
  category: Nullable(Type.String()),
  serviceSource: Nullable(Type.String()),
  productName: Nullable(Type.String()),
  lastUpdateDateTime: Type.String(),
  createdDateTime: Nullable(Type.String()),
  users: Type.Array(AlertUser),
  devices: Type.Array(AlertDevice),
  ips: Type.Array(Type.Object({ address: Type.String(), roles: Type.Array(Type.String()) })),
  urls: Type.Array(Type.Object({ url: Type.String(), roles: Type.Array(Type.String()) })),
  mailboxes: Type.Array(
    Type.Object({
      primaryAddress: Nullable(Type.String()),
      upn: Nullable(Type.String()),
      displayName: Nullable(Type.String()),
    }),
  ),
  evidenceTypes: Type.Array(Type.String()),
  source: Type.String(),
  connectionTarget: Nullable(Type.String()),
  isUpdate: Type.Boolean(),
  receivedAt: Time,
};
const Alert = Type.Object(alertFields, {
  description: 'A normalized alert (more fields of the normalized form may be present).',
});
const AlertDetail = Type.Object({
  ...alertFields,
  raw: Json,
  runs: Type.Array(
    Type.Object({ id: Type.String(), playbook: Nullable(Type.String()), status: RunStatus, createdAt: Time }),
  ),
});
const IngestResult = Type.Object({
  accepted: Type.Integer(),
  duplicates: Type.Integer(),
  alerts: Type.Array(
    Type.Object({
      id: Type.String(),
      providerAlertId: Type.String(),
      duplicate: Type.Boolean(),
      update: Type.Boolean(),
      runs: Type.Array(Type.String()),
      skipped: Type.Array(Type.Object({ playbook: Type.String(), reason: Type.String() })),
    }),
  ),
});
const Connector = Type.Object({
  connectionTarget: Type.String(),
  feed: Type.Enum(['alerts', 'incidents']),
  enabled: Type.Boolean(),
  intervalSeconds: Type.Integer(),
  lookbackSeconds: Type.Integer(),
  status: Type.Enum(['ok', 'throttled', 'forbidden', 'error', 'idle']),
  lastPollAt: Nullable(Time),
  lastSuccessAt: Nullable(Time),
  cooldownUntil: Nullable(Time),
  watermark: Nullable(Type.String()),
  fetched: Type.Integer(),
  totalFetched: Type.Integer(),
  message: Nullable(Type.String()),
});

const RequiredRole = Type.Object({
  resource: Type.String(),
  role: Type.String(),
  satisfiedBy: Type.Optional(Type.Array(Type.String())),
});
const Action = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  inputSchema: Type.Record(Type.String(), Json, { description: 'JSON Schema of the action input.' }),
  requiredRoles: Type.Array(RequiredRole),
  inverse: Nullable(Type.String()),
  destructive: Type.Boolean(),
});

const ConnectionTarget = Type.Object({
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
const ConnectionTest = Type.Object({
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

const PlaybookSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  version: Type.Integer(),
  enabled: Type.Boolean(),
  source: Type.String(),
  file: Nullable(Type.String()),
  triggers: Type.Array(Json),
  updatedAt: Time,
});
const Playbook = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  enabled: Type.Boolean(),
  version: Type.Integer(),
  currentVersion: Type.Integer(),
  sha256: Type.String(),
  source: Type.String(),
  file: Nullable(Type.String()),
  connection: Nullable(Type.String()),
  inputs: Json,
  triggers: Type.Array(Json),
  outputs: Type.Array(Type.String()),
  steps: Type.Array(Type.Object({ id: Type.String(), kind: Type.String(), action: Type.Optional(Type.String()) })),
  versions: Type.Array(Json),
  yaml: Type.String(),
});
const PlaybookSaved = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  sha256: Type.String(),
  changed: Type.Boolean(),
});
const Rehearsal = Type.Object({
  playbook: Type.String(),
  passed: Type.Integer(),
  failed: Type.Integer(),
  cases: Type.Array(
    Type.Object({
      name: Type.String(),
      passed: Type.Boolean(),
      problems: Type.Array(Type.String(), { description: 'What differed from `expect`, in words.' }),
      status: Type.Enum(['succeeded', 'failed', 'waiting']),
      path: Type.Array(Type.String(), { description: 'The steps taken, in order.' }),
      outputs: Type.Record(Type.String(), Json),
    }),
  ),
});
const PlaybookValidation = Type.Object({ valid: Type.Boolean(), errors: Problem.properties.errors });

const Protected = Type.Object({
  id: Type.String(),
  kind: Type.Enum(['user', 'group', 'machine', 'machineTag']),
  value: Type.String(),
  reason: Nullable(Type.String()),
  source: Type.Enum(['file', 'api']),
});
const Automation = Type.Object({
  paused: Type.Boolean(),
  since: Nullable(Time),
  by: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  released: Type.Optional(Type.Integer()),
});
const Guardrails = Type.Object({
  protected: Type.Array(Ref('ProtectedEntity')),
  protectDirectoryRoles: Type.Boolean(),
  protectOwnApp: Type.Boolean(),
  maxEntitiesPerRun: Type.Integer(),
  budgets: Type.Record(Type.String(), Type.Object({ limit: Type.Integer(), windowSeconds: Type.Integer() })),
  automation: Ref('Automation'),
});
const ApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  prefix: Type.String(),
  createdBy: Nullable(Type.String()),
  createdAt: Time,
  lastUsedAt: Nullable(Time),
});
const ApiKeyCreated = Type.Object({
  ...ApiKey.properties,
  key: Type.String({ description: 'Shown once, stored hashed.' }),
});
const AuditRecord = Type.Object({
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
const AuditVerification = Type.Object({
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
const DecidedApproval = Type.Object({
  id: Type.String({ description: 'The audit record of the decision.' }),
  runId: Type.String({ format: 'uuid' }),
  playbook: Nullable(Type.Object({ id: Type.String(), version: Type.Integer() })),
  step: Type.String(),
  kind: Type.Enum(['approval', 'guardrail_hold'], {
    description: "A playbook's approval step, or a step a guardrail held (budget, blast radius, automation paused).",
  }),
  decision: Type.Enum(['approve', 'reject']),
  comment: Nullable(Type.String()),
  decidedBy: Type.String(),
  decidedByRole: Type.String(),
  decidedAt: Time,
});
const Change = Type.Object({
  id: Type.String(),
  runId: Type.String(),
  step: Type.String(),
  action: Type.String(),
  connectionTarget: Type.String(),
  entity: Type.String(),
  status: Type.Enum(['intended', 'sent', 'succeeded', 'failed']),
  at: Time,
  settledAt: Nullable(Time),
});
const Me = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  kind: Type.Enum(['api_key', 'user', 'system']),
});
const AuthConfig = Type.Object({
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
const Decision = Type.Object({ runId: Type.String(), step: Type.String(), decision: Type.String() });
const ConnectorPage = Type.Object({ items: Type.Array(Ref('Connector')), nextCursor: Type.Null() });
const Health = Type.Object({
  status: Type.String(),
  info: Type.Optional(Json),
  error: Type.Optional(Json),
  details: Json,
});

const PlaybookAutomation = Type.Object({
  id: Type.String(),
  automation: Type.Object({
    enabled: Type.Boolean({ description: 'Whether alerts matching the triggers start runs on their own.' }),
    changedBy: Nullable(Type.String()),
    changedAt: Nullable(Time),
    reason: Nullable(Type.String()),
  }),
});
const SignInStart = Type.Object({
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
const DeviceCodeStart = Type.Object(deviceCodeFields);
const DeviceCodeOutcome = Type.Union(
  [
    Type.Object({ status: Type.Literal('signed_in'), connectionTarget: Ref('ConnectionTarget') }),
    Type.Object({ status: Type.Literal('pending'), ...deviceCodeFields }),
  ],
  { description: 'Signed in (200), or still waiting for the person to enter the code (202).' },
);
const SignInRedirect = Type.Object({ message: Type.String(), connectionTarget: Ref('ConnectionTarget') });
const NotificationChannel = Type.Object({
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
const NotificationReceipt = Type.Object({
  channel: Type.String(),
  kind: Type.String(),
  status: Type.Integer({ description: 'The HTTP status the channel answered.' }),
});
const ExportSink = Type.Object({
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
const UnpagedList = (item: string) => Type.Object({ items: Type.Array(Ref(item)), nextCursor: Type.Null() });

/** components.schemas of the OpenAPI document. */
export const SCHEMAS: Record<string, TSchema> = {
  Problem,
  Step,
  WaitingFor,
  RunSummary,
  RunDetail,
  RunPage: Page('RunSummary'),
  RunAccepted,
  Alert,
  AlertDetail,
  AlertPage: Page('Alert'),
  IngestResult,
  Connector,
  Action,
  ConnectionTarget,
  ConnectionTest,
  PlaybookSummary,
  Playbook,
  PlaybookSaved,
  PlaybookValidation,
  Rehearsal,
  ProtectedEntity: Protected,
  Automation,
  Guardrails,
  ApiKey,
  ApiKeyCreated,
  AuditRecord,
  AuditPage: Page('AuditRecord'),
  AuditVerification,
  DecidedApproval,
  DecidedApprovalPage: Page('DecidedApproval'),
  Change,
  ChangePage: Page('Change'),
  PlaybookPage: Page('PlaybookSummary'),
  ConnectionTargetPage: Page('ConnectionTarget'),
  ApiKeyPage: Page('ApiKey'),
  Me,
  AuthConfig,
  Decision,
  ConnectorPage,
  Health,
  PlaybookAutomation,
  SignInStart,
  DeviceCodeStart,
  DeviceCodeOutcome,
  SignInRedirect,
  NotificationChannel,
  NotificationChannelPage: UnpagedList('NotificationChannel'),
  NotificationReceipt,
  ExportSink,
  ExportSinkPage: UnpagedList('ExportSink'),
};

type Body = string | { array: string } | { text: string } | null;
/** `METHOD path` → [status, body]: a schema name, an array of one, a text media type, or no body. */
export const RESPONSES: Record<string, [number, Body]> = {
  'GET /health': [200, 'Health'],
  'GET /api/v1/me': [200, 'Me'],
  'GET /api/v1/auth/config': [200, 'AuthConfig'],
  'GET /api/v1/events': [200, { text: 'text/event-stream' }],
  'GET /api/v1/changes': [200, 'ChangePage'],
  'POST /api/v1/connection-targets': [201, 'ConnectionTarget'],
  'GET /api/v1/connection-targets': [200, 'ConnectionTargetPage'],
  'GET /api/v1/connection-targets/{name}': [200, 'ConnectionTarget'],
  'PATCH /api/v1/connection-targets/{name}': [200, 'ConnectionTarget'],
  'DELETE /api/v1/connection-targets/{name}': [204, null],
  'POST /api/v1/connection-targets/{name}/test': [200, 'ConnectionTest'],
  'GET /api/v1/actions': [200, { array: 'Action' }],
  'GET /api/v1/actions/{id}': [200, 'Action'],
  'POST /api/v1/responses': [202, 'RunAccepted'],
  'GET /api/v1/schema/playbook.json': [200, { text: 'application/schema+json' }],
  'GET /api/v1/playbooks': [200, 'PlaybookPage'],
  'POST /api/v1/playbooks/validate': [200, 'PlaybookValidation'],
  'POST /api/v1/playbooks/rehearse': [200, 'Rehearsal'],
  'PUT /api/v1/playbooks/{id}': [200, 'PlaybookSaved'],
  'GET /api/v1/playbooks/{id}': [200, 'Playbook'],
  'GET /api/v1/playbooks/{id}/graph': [200, { text: 'text/vnd.mermaid' }],
  'DELETE /api/v1/playbooks/{id}': [204, null],
  'POST /api/v1/playbooks/{id}/runs': [202, 'RunAccepted'],
  'GET /api/v1/runs': [200, 'RunPage'],
  'GET /api/v1/runs/{id}': [200, 'RunDetail'],
  'POST /api/v1/runs/{id}/approvals/{stepId}': [200, 'Decision'],
  'POST /api/v1/runs/{id}/cancel': [202, 'RunDetail'],
  'POST /api/v1/runs/{id}/revert': [202, 'RunAccepted'],
  'POST /api/v1/alerts': [202, 'IngestResult'],
  'GET /api/v1/alerts': [200, 'AlertPage'],
  'GET /api/v1/alerts/{id}': [200, 'AlertDetail'],
  'GET /api/v1/connectors': [200, 'ConnectorPage'],
  'PUT /api/v1/connectors/{connectionTarget}/{feed}': [200, 'Connector'],
  'POST /api/v1/connectors/{connectionTarget}/{feed}/poll': [200, 'Connector'],
  'GET /api/v1/guardrails': [200, 'Guardrails'],
  'PATCH /api/v1/guardrails': [200, 'Guardrails'],
  'POST /api/v1/guardrails/protected': [201, 'ProtectedEntity'],
  'DELETE /api/v1/guardrails/protected/{id}': [204, null],
  'GET /api/v1/automation': [200, 'Automation'],
  'POST /api/v1/automation/pause': [200, 'Automation'],
  'POST /api/v1/automation/resume': [200, 'Automation'],
  'POST /api/v1/api-keys': [201, 'ApiKeyCreated'],
  'GET /api/v1/api-keys': [200, 'ApiKeyPage'],
  'DELETE /api/v1/api-keys/{id}': [204, null],
  'GET /api/v1/audit': [200, 'AuditPage'],
  'GET /api/v1/audit/verify': [200, 'AuditVerification'],
  'GET /api/v1/approvals/history': [200, 'DecidedApprovalPage'],
  'POST /api/v1/connection-targets/{name}/authorize': [200, 'SignInStart'],
  'POST /api/v1/connection-targets/{name}/device-code': [201, 'DeviceCodeStart'],
  'POST /api/v1/connection-targets/{name}/device-code/complete': [200, 'DeviceCodeOutcome'],
  'DELETE /api/v1/connection-targets/{name}/sign-in': [200, 'ConnectionTarget'],
  'GET /api/v1/sign-in/redirect': [200, 'SignInRedirect'],
  'PUT /api/v1/playbooks/{id}/automation': [200, 'PlaybookAutomation'],
  'POST /api/v1/notification-channels': [201, 'NotificationChannel'],
  'GET /api/v1/notification-channels': [200, 'NotificationChannelPage'],
  'GET /api/v1/notification-channels/{name}': [200, 'NotificationChannel'],
  'DELETE /api/v1/notification-channels/{name}': [204, null],
  'POST /api/v1/notification-channels/{name}/test': [200, 'NotificationReceipt'],
  'GET /api/v1/export/events': [200, { text: 'application/x-ndjson' }],
  'POST /api/v1/export/sinks': [201, 'ExportSink'],
  'GET /api/v1/export/sinks': [200, 'ExportSinkPage'],
  'GET /api/v1/export/sinks/{name}': [200, 'ExportSink'],
  'PATCH /api/v1/export/sinks/{name}': [200, 'ExportSink'],
  'DELETE /api/v1/export/sinks/{name}': [204, null],
  'GET /api/v1/export/sinks/{name}/drained': [200, 'ExportSink'],
};

interface Operation {
  responses?: Record<string, unknown>;
}

/** Fills the document's response bodies and errors from the table; returns the routes it does not describe. */
export function describeResponses(document: {
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, unknown>;
}): string[] {
  document.components = {
    ...document.components,
    schemas: JSON.parse(JSON.stringify(SCHEMAS)) as Record<string, unknown>,
  };
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const problem = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: ref('Problem') } },
  });
  const undescribed: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const key = `${method.toUpperCase()} ${path}`;
      const entry = RESPONSES[key];
      if (!entry) {
        undescribed.push(key);
        continue;
      }
      const [status, body] = entry;
      const content =
        body === null
          ? undefined
          : typeof body === 'string'
            ? { 'application/json': { schema: ref(body) } }
            : 'array' in body
              ? { 'application/json': { schema: { type: 'array', items: ref(body.array) } } }
              : { [body.text]: { schema: { type: 'string' } } };
      const previous = Object.entries(operation.responses ?? {}).find(([code]) => code.startsWith('2'))?.[1] as
        { description?: string } | undefined;
      operation.responses = {
        [String(status)]: { description: previous?.description || 'Success.', ...(content ? { content } : {}) },
        '4XX': problem('The request was refused: what is wrong and where (problem details).'),
        ...(path === '/health'
          ? {}
          : { '5XX': problem('The service or Azure could not answer (problem details, never a stack trace).') }),
      };
      if (key === 'PUT /api/v1/playbooks/{id}')
        operation.responses['201'] = { description: 'A new playbook.', content };
    }
  }
  return undescribed;
}
