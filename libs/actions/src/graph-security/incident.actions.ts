import Type, { type Static } from 'typebox';
import type { ActionDefinition, RequiredRole } from '../action-definition.js';
import { DETERMINATIONS } from './update-alert.action.js';

const READ_INCIDENTS: RequiredRole = {
  resource: 'graph',
  role: 'SecurityIncident.Read.All',
  satisfiedBy: ['SecurityIncident.ReadWrite.All'],
};
export const WRITE_INCIDENTS: RequiredRole = { resource: 'graph', role: 'SecurityIncident.ReadWrite.All' };

export const IncidentId = Type.String({
  pattern: '^[0-9]{1,20}$',
  description: 'The Microsoft 365 Defender incident id (a number, e.g. 2972395).',
});
const strip = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== '@odata.context'));

const GetIncidentInput = Type.Object(
  {
    incidentId: IncidentId,
    includeAlerts: Type.Optional(
      Type.Boolean({ default: false, description: "Embed the incident's alerts ($expand=alerts)." }),
    ),
  },
  { additionalProperties: false },
);
type GetIncidentInput = Static<typeof GetIncidentInput>;

const path = (incidentId: string) => `/security/incidents/${incidentId}`;

export const getIncident: ActionDefinition<GetIncidentInput, Record<string, unknown>> = {
  id: 'graph_security.get_incident',
  title: 'Read a Microsoft 365 Defender incident',
  description:
    'Reads an incident (GET /security/incidents/{id}): status, severity, classification, assignee, tags, comments, and its alerts if asked.',
  inputSchema: GetIncidentInput,
  requiredRoles: [READ_INCIDENTS],
  inverse: null,
  destructive: false,
  ledger: false,
  entity: (input) => `incident:${input.incidentId}`,
  async plan(input, { graph, target }) {
    return [
      graph.describe(target, {
        method: 'GET',
        path: `${path(input.incidentId)}${input.includeAlerts ? '?$expand=alerts' : ''}`,
        idempotent: true,
      }),
    ];
  },
  async execute(input, { graph, target, signal }) {
    const reply = await graph.send<Record<string, unknown>>(
      target,
      {
        method: 'GET',
        path: `${path(input.incidentId)}${input.includeAlerts ? '?$expand=alerts' : ''}`,
        idempotent: true,
        notFound: 'incident_not_found',
        what: `incident ${input.incidentId}`,
      },
      signal,
    );
    return strip(reply.data);
  },
};

const UpdateIncidentInput = Type.Object(
  {
    incidentId: IncidentId,
    status: Type.Optional(Type.Enum(['active', 'inProgress', 'resolved', 'redirected', 'awaitingAction'])),
    classification: Type.Optional(
      Type.Enum(['unknown', 'falsePositive', 'truePositive', 'informationalExpectedActivity']),
    ),
    determination: Type.Optional(Type.Enum(DETERMINATIONS)),
    assignedTo: Type.Optional(Type.String({ maxLength: 320 })),
    customTags: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        maxItems: 50,
        description: "Replaces the incident's custom tags.",
      }),
    ),
  },
  { additionalProperties: false, minProperties: 2 },
);
type UpdateIncidentInput = Static<typeof UpdateIncidentInput>;

/** PATCH sets fields to given values: sent twice, the same incident. Like update_alert, not a ledger entry. */
export const updateIncident: ActionDefinition<UpdateIncidentInput, Record<string, unknown>> = {
  id: 'graph_security.update_incident',
  title: 'Update a Microsoft 365 Defender incident',
  description:
    'Sets status, classification, determination, assignee or custom tags of an incident (PATCH /security/incidents/{id}).',
  inputSchema: UpdateIncidentInput,
  requiredRoles: [WRITE_INCIDENTS],
  inverse: null,
  destructive: false,
  ledger: false,
  entity: (input) => `incident:${input.incidentId}`,
  async plan(input, { graph, target }) {
    return [graph.describe(target, request(input))];
  },
  async execute(input, { graph, target, signal }) {
    const reply = await graph.send<Record<string, unknown>>(target, request(input), signal);
    const incident = reply.data ?? {};
    return {
      incidentId: input.incidentId,
      status: incident.status ?? input.status ?? null,
      classification: incident.classification ?? input.classification ?? null,
      determination: incident.determination ?? input.determination ?? null,
      assignedTo: incident.assignedTo ?? input.assignedTo ?? null,
      customTags: incident.tags ?? input.customTags ?? null,
    };
  },
};

function request(input: UpdateIncidentInput) {
  const { incidentId, ...fields } = input;
  return {
    method: 'PATCH' as const,
    path: path(incidentId),
    body: fields,
    idempotent: true,
    notFound: 'incident_not_found' as const,
    what: `incident ${incidentId}`,
  };
}
