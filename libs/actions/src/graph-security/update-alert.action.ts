import Type, { type Static } from 'typebox';
import type { ActionDefinition, RequiredRole } from '../action-definition.js';

// The update page's names (docs/AZURE.md#graph-alert-update), not the resource page's older ones.
export const DETERMINATIONS = [
  'unknown',
  'apt',
  'malware',
  'securityPersonnel',
  'securityTesting',
  'unwantedSoftware',
  'other',
  'multiStagedAttack',
  'compromisedUser',
  'phishing',
  'maliciousUserActivity',
  'clean',
  'insufficientData',
  'confirmedUserActivity',
  'lineOfBusinessApplication',
];

const UpdateAlertInput = Type.Object(
  {
    alertId: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'The Graph security alert id (alerts_v2), e.g. da637551227677560813_-961444813.',
    }),
    status: Type.Optional(Type.Enum(['new', 'inProgress', 'resolved'])),
    classification: Type.Optional(
      Type.Enum(['unknown', 'falsePositive', 'truePositive', 'informationalExpectedActivity']),
    ),
    determination: Type.Optional(Type.Enum(DETERMINATIONS)),
    assignedTo: Type.Optional(Type.String({ maxLength: 320 })),
    comment: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4000,
        description: 'Added as an alert comment (a separate call: PATCH has no comment field).',
      }),
    ),
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
  description:
    'Sets status, classification, determination or assignee of a Graph security alert (PATCH /security/alerts_v2/{id}), and adds a comment if given (POST …/comments). Recorded in the effect ledger: the comment is never posted twice by a retry or a restart.',
  inputSchema: UpdateAlertInput,
  requiredRoles: [WRITE_ALERTS],
  inverse: null,
  destructive: false,
  // The PATCH is idempotent; the comment POST is not: a retry could post it twice.
  ledger: true,
  entity: (input) => `alert:${input.alertId}`,
  async plan(input, { graph, target, marker }) {
    return requests(input, marker).map((r) => graph.describe(target, r));
  },
  async execute(input, { graph, target, signal, marker }) {
    let alert: Record<string, unknown> = {};
    let commentAdded = false;
    for (const request of requests(input, marker)) {
      const reply = await graph.send<Record<string, unknown>>(target, request, signal);
      if (request.method === 'PATCH') alert = reply.data ?? {};
      else commentAdded = true;
    }
    return output(input, alert, commentAdded);
  },
  /** The comment is sent last and carries the step's marker: found, the whole update was applied. Without a comment, the fields tell. */
  async reconcile(input, { graph, target, signal, marker }) {
    const path = `/security/alerts_v2/${encodeURIComponent(input.alertId)}`;
    const alert =
      (
        await graph.send<Record<string, unknown>>(
          target,
          { method: 'GET', path, idempotent: true, notFound: 'alert_not_found', what: `alert ${input.alertId}` },
          signal,
        )
      ).data ?? {};
    if (input.comment) {
      const comments = Array.isArray(alert.comments) ? (alert.comments as { comment?: string }[]) : [];
      return comments.some((c) => c.comment?.includes(marker))
        ? { state: 'applied', output: output(input, alert, true) }
        : { state: 'not_applied' };
    }
    const { alertId: _id, comment: _comment, ...fields } = input;
    return Object.entries(fields).every(([name, value]) => alert[name] === value)
      ? { state: 'applied', output: output(input, alert, false) }
      : { state: 'not_applied' };
  },
};

function output(input: UpdateAlertInput, alert: Record<string, unknown>, commentAdded: boolean): UpdateAlertOutput {
  const field = (name: string) =>
    typeof alert[name] === 'string'
      ? (alert[name] as string)
      : (((input as Record<string, unknown>)[name] as string | undefined) ?? null);
  return {
    alertId: input.alertId,
    status: field('status'),
    classification: field('classification'),
    determination: field('determination'),
    assignedTo: field('assignedTo'),
    commentAdded,
  };
}

function requests(input: UpdateAlertInput, marker: string) {
  const path = `/security/alerts_v2/${encodeURIComponent(input.alertId)}`;
  const { alertId: _id, comment, ...fields } = input;
  const out = [];
  if (Object.keys(fields).length)
    out.push({
      method: 'PATCH' as const,
      path,
      body: fields,
      idempotent: true,
      notFound: 'alert_not_found' as const,
      what: `alert ${input.alertId}`,
    });
  if (comment)
    out.push({
      method: 'POST' as const,
      path: `${path}/comments`,
      body: { '@odata.type': 'microsoft.graph.security.alertComment', comment: `${comment} [${marker}]` },
      idempotent: false,
      notFound: 'alert_not_found' as const,
      what: `alert ${input.alertId}`,
    });
  return out;
}
