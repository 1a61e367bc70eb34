import type { TSchema } from 'typebox';
import {
  ApiKey,
  ApiKeyCreated,
  AuditRecord,
  AuditVerification,
  AuthConfig,
  ConnectionTarget,
  ConnectionTest,
  DeviceCodeOutcome,
  DeviceCodeStart,
  ExportSink,
  Guardrails,
  Health,
  Me,
  NotificationChannel,
  NotificationReceipt,
  SignInRedirect,
  SignInStart,
} from './openapi-admin-schemas.js';
import {
  Action,
  Alert,
  AlertDetail,
  Automation,
  Change,
  Connector,
  ConnectorPage,
  DecidedApproval,
  Decision,
  IngestResult,
  Page,
  Playbook,
  PlaybookAutomation,
  PlaybookSaved,
  PlaybookSummary,
  PlaybookValidation,
  Problem,
  Protected,
  Rehearsal,
  RunAccepted,
  RunDetail,
  RunSummary,
  Step,
  UnpagedList,
  WaitingFor,
} from './openapi-schemas.js';

/*
 * What every route answers, for the OpenAPI document (and so for the console's generated
 * client). One table rather than decorators on each controller: a route missing here fails
 * the OpenAPI test, so a new route cannot ship with an undescribed answer.
 */

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
