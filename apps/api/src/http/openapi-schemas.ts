import Type, { type TSchema } from 'typebox';
import { RUN_STATUSES, STEP_STATUSES } from '@riposte/vocabulary';

/*
 * The schemas of the OpenAPI document (components.schemas) for the response engine: runs and
 * their steps, alerts, actions, playbooks, decisions; and the pieces every schema is made of.
 * The route table that uses them: openapi-responses.ts.
 */

/** A reference to another schema of the document. */
export const Ref = (name: string) => ({ $ref: `#/components/schemas/${name}` }) as unknown as TSchema;
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const Time = Type.String({ format: 'date-time' });
export const Json = Type.Unknown();
export const Problem = Type.Object({
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
export const Page = (item: string) =>
  Type.Object({ items: Type.Array(Ref(item)), nextCursor: Nullable(Type.String()) });
const RunStatus = Type.Enum([...RUN_STATUSES]);
const StepStatus = Type.Enum([...STEP_STATUSES]);
export const ErrorInfo = Type.Object({ code: Type.String(), message: Type.String() });
export const Role = Type.Enum(['viewer', 'analyst', 'author', 'admin', 'ingest']);
export const Step = Type.Object({
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
export const RunSummary = Type.Object(runFields);
export const WaitingFor = Type.Object({
  step: Type.String(),
  kind: Type.Enum(['approval', 'budget', 'blast_radius', 'paused']),
  prompt: Type.String(),
  approvers: Type.Array(Type.String()),
  deadline: Nullable(Time),
});
export const RunDetail = Type.Object({
  ...runFields,
  steps: Type.Array(Ref('Step')),
  waitingFor: Type.Optional(Type.Array(Ref('WaitingFor'))),
  timeline: Type.Optional(
    Type.Array(Type.Object({ at: Time, type: Type.String(), step: Nullable(Type.String()), detail: Json })),
  ),
});
export const RunAccepted = Type.Object(
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
export const Alert = Type.Object(alertFields, {
  description: 'A normalized alert (more fields of the normalized form may be present).',
});
export const AlertDetail = Type.Object({
  ...alertFields,
  raw: Json,
  runs: Type.Array(
    Type.Object({ id: Type.String(), playbook: Nullable(Type.String()), status: RunStatus, createdAt: Time }),
  ),
});
export const IngestResult = Type.Object({
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
export const Connector = Type.Object({
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
export const Action = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  inputSchema: Type.Record(Type.String(), Json, { description: 'JSON Schema of the action input.' }),
  requiredRoles: Type.Array(RequiredRole),
  inverse: Nullable(Type.String()),
  destructive: Type.Boolean(),
});
export const PlaybookSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  version: Type.Integer(),
  enabled: Type.Boolean(),
  source: Type.String(),
  file: Nullable(Type.String()),
  triggers: Type.Array(Json),
  updatedAt: Time,
});
export const Playbook = Type.Object({
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
export const PlaybookSaved = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  sha256: Type.String(),
  changed: Type.Boolean(),
});
export const Rehearsal = Type.Object({
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
export const PlaybookValidation = Type.Object({ valid: Type.Boolean(), errors: Problem.properties.errors });
export const Protected = Type.Object({
  id: Type.String(),
  kind: Type.Enum(['user', 'group', 'machine', 'machineTag']),
  value: Type.String(),
  reason: Nullable(Type.String()),
  source: Type.Enum(['file', 'api']),
});
export const Automation = Type.Object({
  paused: Type.Boolean(),
  since: Nullable(Time),
  by: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  released: Type.Optional(Type.Integer()),
});
export const DecidedApproval = Type.Object({
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
export const Change = Type.Object({
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
export const Decision = Type.Object({ runId: Type.String(), step: Type.String(), decision: Type.String() });
export const ConnectorPage = Type.Object({ items: Type.Array(Ref('Connector')), nextCursor: Type.Null() });
export const PlaybookAutomation = Type.Object({
  id: Type.String(),
  automation: Type.Object({
    enabled: Type.Boolean({ description: 'Whether alerts matching the triggers start runs on their own.' }),
    changedBy: Nullable(Type.String()),
    changedAt: Nullable(Time),
    reason: Nullable(Type.String()),
  }),
});
export const UnpagedList = (item: string) => Type.Object({ items: Type.Array(Ref(item)), nextCursor: Type.Null() });
