import Type, { type Static } from 'typebox';
import type { ActionDefinition, RequiredRole } from '../action-definition.js';

// The update page's names (docs/AZURE.md#graph-alert-update), not the resource page's older ones.
export const DETERMINATIONS = ['unknown', 'apt', 'malware', 'securityPersonnel', 'securityTesting', 'unwantedSoftware', 'other', 'multiStagedAttack', 'compromisedUser', 'phishing', 'maliciousUserActivity', 'clean', 'insufficientData', 'confirmedUserActivity', 'lineOfBusinessApplication'];

const UpdateAlertInput = Type.Object(
  {
    alertId: Type.String({ minLength: 1, maxLength: 200, description: 'The Graph security alert id (alerts_v2), e.g. da637551227677560813_-961444813.' }),
    status: Type.Optional(Type.Enum(['new', 'inProgress', 'resolved'])),
    classification: Type.Optional(Type.Enum(['unknown', 'falsePositive', 'truePositive', 'informationalExpectedActivity'])),
    determination: Type.Optional(Type.Enum(DETERMINATIONS)),
    assignedTo: Type.Optional(Type.String({ maxLength: 320 })),
    comment: Type.Optional(Type.String({ minLength: 1, maxLength: 4000, description: 'Added as an alert comment (a separate call: PATCH has no comment field).' })),
  },
  { additionalProperties: false, minProperties: 2 },
);
type UpdateAlertInput = Static<typeof UpdateAlertInput>;

export interface UpdateAlertOutput {
  alertId: string;
  status: string | null;
  classification: string | null;
  determination: string | null;
  assignedTo: string | null;
  commentAdded: boolean;
}

const WRITE_ALERTS: RequiredRole = { resource: 'graph', role: 'SecurityAlert.ReadWrite.All' };

export const updateAlert: ActionDefinition<UpdateAlertInput, UpdateAlertOutput> = {
  id: 'graph_security.update_alert',
  title: 'Update a Microsoft security alert',
  description: 'Sets status, classification, determination or assignee of a Graph security alert (PATCH /security/alerts_v2/{id}), and adds a comment if given (POST …/comments).',
  inputSchema: UpdateAlertInput,
  requiredRoles: [WRITE_ALERTS],
  inverse: null,
  destructive: false,
  entity: (input) => `alert:${input.alertId}`,
  async plan(input, { graph, target }) {
    return requests(input).map((r) => graph.describe(target, r));
  },
  async execute(input, { graph, target, signal }) {
    let alert: Record<string, unknown> = {};
    let commentAdded = false;
    for (const request of requests(input)) {
      const reply = await graph.send<Record<string, unknown>>(target, request, signal);
      if (request.method === 'PATCH') alert = reply.data ?? {};
      else commentAdded = true;
    }
    const field = (name: string) => (typeof alert[name] === 'string' ? (alert[name] as string) : ((input as Record<string, unknown>)[name] as string | undefined) ?? null);
    return { alertId: input.alertId, status: field('status'), classification: field('classification'), determination: field('determination'), assignedTo: field('assignedTo'), commentAdded };
  },
};

function requests(input: UpdateAlertInput) {
  const path = `/security/alerts_v2/${encodeURIComponent(input.alertId)}`;
  const { alertId: _id, comment, ...fields } = input;
  const out = [];
  if (Object.keys(fields).length) out.push({ method: 'PATCH' as const, path, body: fields, idempotent: true, notFound: 'alert_not_found' as const, what: `alert ${input.alertId}` });
  if (comment) out.push({ method: 'POST' as const, path: `${path}/comments`, body: { '@odata.type': 'microsoft.graph.security.alertComment', comment }, idempotent: false, notFound: 'alert_not_found' as const, what: `alert ${input.alertId}` });
  return out;
}
