import { preciseNow } from './clock.js';
import { incidentView } from './entities.js';
import { graphBadRequest, graphJson, graphNotFound, graphQuery } from './graph-common.js';
import { HuntingError, runHunting } from './hunting.js';
import type { SecurityAlert, SecurityIncident } from './model.js';
import type { Json } from './types.js';
import { applyListQuery, nextLink, type ListQueryOptions } from './odata-query.js';
import { isPlainObject, parseJsonBody, type AuthedContext, type RouteDef } from './router.js';
import type { FakeRequest } from './types.js';

const ALERT_READ = ['SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All'];
const ALERT_WRITE = ['SecurityAlert.ReadWrite.All'];
const INCIDENT_READ = ['SecurityIncident.Read.All', 'SecurityIncident.ReadWrite.All'];
const INCIDENT_WRITE = ['SecurityIncident.ReadWrite.All'];
const HUNTING = ['ThreatHunting.Read.All'];

const LEGACY_READ = ['SecurityEvents.Read.All', 'SecurityEvents.ReadWrite.All', ...ALERT_READ];

const ALERT_QUERY: ListQueryOptions = {
  filterFields: [
    'assignedTo',
    'classification',
    'determination',
    'createdDateTime',
    'lastUpdateDateTime',
    'severity',
    'serviceSource',
    'status',
  ],
  orderFields: [
    'createdDateTime',
    'lastUpdateDateTime',
    'firstActivityDateTime',
    'lastActivityDateTime',
    'severity',
    'status',
  ],
  entity: 'microsoft.graph.security.alert',
  defaultTop: 2000,
  maxTop: 2000,
};

const INCIDENT_QUERY: ListQueryOptions = {
  filterFields: [
    'assignedTo',
    'classification',
    'createdDateTime',
    'determination',
    'lastUpdateDateTime',
    'severity',
    'status',
  ],
  orderFields: ['createdDateTime', 'lastUpdateDateTime', 'severity', 'status'],
  entity: 'microsoft.graph.security.incident',
  defaultTop: 50,
  maxTop: 50,
};

const ENUMS: Record<string, readonly string[]> = {
  status: ['new', 'inProgress', 'resolved', 'unknownFutureValue'],
  classification: ['unknown', 'falsePositive', 'truePositive', 'informationalExpectedActivity', 'unknownFutureValue'],
  determination: [
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
    'unknownFutureValue',
  ],
};

const INCIDENT_STATUSES = ['active', 'resolved', 'inProgress', 'redirected', 'awaitingAction', 'unknownFutureValue'];

/** Enum members added after `unknownFutureValue`: Graph hides them unless asked (`Prefer: include-unknown-enum-members`). */
const EVOLVED_MEMBERS: Record<string, ReadonlySet<string>> = {
  serviceSource: new Set(['microsoftDefenderForCloud', 'microsoftSentinel', 'microsoftInsiderRiskManagement']),
  detectionSource: new Set([
    'microsoftDefenderForCloud',
    'microsoftDefenderForIoT',
    'microsoftDefenderForServers',
    'microsoftDefenderForStorage',
    'microsoftDefenderForDNS',
    'microsoftDefenderForDatabases',
    'microsoftDefenderForContainers',
    'microsoftDefenderForNetwork',
    'microsoftDefenderForAppService',
    'microsoftDefenderForKeyVault',
    'microsoftDefenderForResourceManager',
    'microsoftDefenderForApiManagement',
    'nrtAlerts',
    'scheduledAlerts',
    'microsoftDefenderThreatIntelligenceAnalytics',
    'builtInMl',
    'microsoftInsiderRiskManagement',
    'microsoftSentinel',
  ]),
};

function alertView(alert: SecurityAlert, req: FakeRequest): Record<string, unknown> {
  if (/include-unknown-enum-members/i.test(req.headers.prefer ?? '')) return alert;
  const view: Record<string, unknown> = { ...alert };
  for (const [field, members] of Object.entries(EVOLVED_MEMBERS)) {
    if (typeof view[field] === 'string' && members.has(view[field])) view[field] = 'unknownFutureValue';
  }
  return view;
}

/** Graph security routes: alerts_v2, incidents and the retired legacy alerts. */
export function graphSecurityRoutes(graphBase: string): RouteDef<AuthedContext>[] {
  const context = (fragment: string) => `${graphBase}/v1.0/$metadata#${fragment}`;
  const listBase = (req: FakeRequest) => `${graphBase}${req.path.slice('/graph'.length)}`;

  const requireAlert = (ctx: AuthedContext) =>
    ctx.tenant.alerts.get(ctx.params.id!) ?? graphNotFound(ctx.req, ctx.params.id!);

  const listAlerts = (ctx: AuthedContext) => {
    const page = graphQuery(ctx.req, () => applyListQuery([...ctx.tenant.alerts.values()], ctx.req.query, ALERT_QUERY));
    return graphJson(ctx.req, 200, {
      '@odata.context': context('security/alerts_v2'),
      ...(ctx.req.query.get('$count') === 'true' ? { '@odata.count': page.count } : {}),
      value: page.items.map((a) => alertView(a, ctx.req)),
      ...(page.nextSkip !== undefined
        ? { '@odata.nextLink': nextLink(listBase(ctx.req), ctx.req.query, page.nextSkip) }
        : {}),
    });
  };

  const getAlert = (ctx: AuthedContext) =>
    graphJson(ctx.req, 200, {
      '@odata.context': context('security/alerts_v2/$entity'),
      ...alertView(requireAlert(ctx), ctx.req),
    });

  const patchAlert = (ctx: AuthedContext) => {
    const alert = requireAlert(ctx);
    const body = parseJsonBody(ctx.req);
    if (!isPlainObject(body)) graphBadRequest(ctx.req, 'Empty or invalid payload provided.');
    for (const [key, value] of Object.entries(body)) {
      if (key === '@odata.type') continue;
      if (key === 'assignedTo') {
        if (value !== null && typeof value !== 'string')
          graphBadRequest(ctx.req, `Invalid value for property 'assignedTo'.`);
        continue;
      }
      const members = ENUMS[key];
      if (!members)
        graphBadRequest(
          ctx.req,
          `Property '${key}' cannot be updated; updatable properties are status, classification, determination and assignedTo.`,
        );
      if (typeof value !== 'string' || !members.includes(value))
        graphBadRequest(ctx.req, `Invalid value '${String(value)}' for property '${key}'.`);
    }
    const { '@odata.type': _type, ...changes } = body;
    Object.assign(alert, changes);
    const now = preciseNow();
    alert.lastUpdateDateTime = now;
    if (changes.status === 'resolved' && !alert.resolvedDateTime) alert.resolvedDateTime = now;
    if (typeof changes.status === 'string' && changes.status !== 'resolved') alert.resolvedDateTime = null;
    return graphJson(ctx.req, 200, {
      '@odata.context': context('security/alerts_v2/$entity'),
      ...alertView(alert, ctx.req),
    });
  };

  const comment = (ctx: AuthedContext) => {
    const alert = requireAlert(ctx);
    const body = parseJsonBody(ctx.req);
    if (!isPlainObject(body) || typeof body.comment !== 'string' || !body.comment.trim()) {
      graphBadRequest(ctx.req, "The 'comment' property is required.");
    }
    const app = ctx.tenant.apps.get(ctx.token.appid.toLowerCase());
    const now = preciseNow();
    alert.comments.push({
      comment: body.comment,
      createdByDisplayName: ctx.token.upn ?? app?.displayName ?? ctx.token.appid,
      createdDateTime: now,
    });
    alert.lastUpdateDateTime = now;
    return graphJson(ctx.req, 200, {
      '@odata.context': context(`security/alerts_v2('${alert.id}')/comments`),
      value: alert.comments,
    });
  };

  const incidentOut = (ctx: AuthedContext, incident: SecurityIncident) => {
    const view = incidentView(incident);
    if (!/(^|,)\s*alerts\s*($|,)/i.test(ctx.req.query.get('$expand') ?? '')) return view;
    const alerts = [...ctx.tenant.alerts.values()].filter(
      (a) => a.incidentId === incident.id || incident.alertIds.includes(a.id),
    );
    return { ...view, alerts: alerts.map((a) => alertView(a, ctx.req)) };
  };

  const listIncidents = (ctx: AuthedContext) => {
    const query = new URLSearchParams(ctx.req.query);
    query.delete('$expand');
    const page = graphQuery(ctx.req, () => applyListQuery([...ctx.tenant.incidents.values()], query, INCIDENT_QUERY));
    return graphJson(ctx.req, 200, {
      '@odata.context': context('security/incidents'),
      ...(ctx.req.query.get('$count') === 'true' ? { '@odata.count': page.count } : {}),
      value: page.items.map((i) => incidentOut(ctx, i)),
      ...(page.nextSkip !== undefined
        ? { '@odata.nextLink': nextLink(listBase(ctx.req), ctx.req.query, page.nextSkip) }
        : {}),
    });
  };

  const getIncident = (ctx: AuthedContext) => {
    const incident = ctx.tenant.incidents.get(ctx.params.id!) ?? graphNotFound(ctx.req, ctx.params.id!);
    return graphJson(ctx.req, 200, {
      '@odata.context': context('security/incidents/$entity'),
      ...incidentOut(ctx, incident),
    });
  };

  const requireIncident = (ctx: AuthedContext) =>
    ctx.tenant.incidents.get(ctx.params.id!) ?? graphNotFound(ctx.req, ctx.params.id!);

  const patchIncident = (ctx: AuthedContext) => {
    const incident = requireIncident(ctx);
    const body = parseJsonBody(ctx.req);
    if (!isPlainObject(body)) graphBadRequest(ctx.req, 'Empty or invalid payload provided.');
    for (const [key, value] of Object.entries(body)) {
      if (key === '@odata.type') continue;
      if (key === 'assignedTo') {
        if (value !== null && typeof value !== 'string')
          graphBadRequest(ctx.req, `Invalid value for property 'assignedTo'.`);
        continue;
      }
      if (key === 'customTags') {
        if (!Array.isArray(value) || !value.every((t) => typeof t === 'string'))
          graphBadRequest(ctx.req, `Invalid value for property 'customTags'.`);
        continue;
      }
      const members = key === 'status' ? INCIDENT_STATUSES : ENUMS[key];
      if (!members)
        graphBadRequest(
          ctx.req,
          `Property '${key}' cannot be updated; updatable properties are status, classification, determination, assignedTo and customTags.`,
        );
      if (typeof value !== 'string' || !members.includes(value))
        graphBadRequest(ctx.req, `Invalid value '${String(value)}' for property '${key}'.`);
    }
    const { '@odata.type': _type, customTags, ...changes } = body;
    Object.assign(incident, changes, customTags ? { tags: customTags } : {});
    incident.lastUpdateDateTime = preciseNow();
    return graphJson(ctx.req, 200, {
      '@odata.context': context('security/incidents/$entity'),
      ...incidentOut(ctx, incident),
    });
  };

  const incidentComment = (ctx: AuthedContext) => {
    const incident = requireIncident(ctx);
    const body = parseJsonBody(ctx.req);
    if (!isPlainObject(body) || typeof body.comment !== 'string' || !body.comment.trim())
      graphBadRequest(ctx.req, "The 'comment' property is required.");
    const app = ctx.tenant.apps.get(ctx.token.appid.toLowerCase());
    const now = preciseNow();
    const comments = incident.comments as Json[];
    comments.push({
      comment: body.comment,
      createdByDisplayName: ctx.token.upn ?? app?.displayName ?? ctx.token.appid,
      createdDateTime: now,
    });
    incident.lastUpdateDateTime = now;
    return graphJson(ctx.req, 200, {
      '@odata.context': context(`security/incidents('${incident.id}')/comments`),
      value: comments,
    });
  };

  /** `{ "Query": "…", "Timespan"?: "P7D" }` → `{ schema, results }` over the tenant's hunting tables. */
  const hunt = (ctx: AuthedContext) => {
    const body = parseJsonBody(ctx.req);
    if (!isPlainObject(body) || typeof body.Query !== 'string' || !body.Query.trim())
      graphBadRequest(ctx.req, "The 'Query' property is required.");
    try {
      const answer = runHunting(body.Query, ctx.tenant.huntingTables);
      return graphJson(ctx.req, 200, {
        '@odata.context': context('microsoft.graph.security.huntingQueryResults'),
        ...answer,
      });
    } catch (error) {
      if (error instanceof HuntingError) graphBadRequest(ctx.req, error.message);
      throw error;
    }
  };

  // Retired in 2026: the endpoint answers, with nothing in it.
  const legacyAlerts = (ctx: AuthedContext) =>
    graphJson(ctx.req, 200, { '@odata.context': context('security/alerts'), value: [] });

  return [
    { method: 'GET', pattern: '/v1.0/security/alerts_v2', permissions: ALERT_READ, handler: listAlerts },
    { method: 'GET', pattern: '/v1.0/security/alerts_v2/:id', permissions: ALERT_READ, handler: getAlert },
    { method: 'PATCH', pattern: '/v1.0/security/alerts_v2/:id', permissions: ALERT_WRITE, handler: patchAlert },
    { method: 'POST', pattern: '/v1.0/security/alerts_v2/:id/comments', permissions: ALERT_WRITE, handler: comment },
    { method: 'GET', pattern: '/v1.0/security/incidents', permissions: INCIDENT_READ, handler: listIncidents },
    { method: 'GET', pattern: '/v1.0/security/incidents/:id', permissions: INCIDENT_READ, handler: getIncident },
    { method: 'PATCH', pattern: '/v1.0/security/incidents/:id', permissions: INCIDENT_WRITE, handler: patchIncident },
    {
      method: 'POST',
      pattern: '/v1.0/security/incidents/:id/comments',
      permissions: INCIDENT_WRITE,
      handler: incidentComment,
    },
    { method: 'POST', pattern: '/v1.0/security/runHuntingQuery', permissions: HUNTING, handler: hunt },
    { method: 'GET', pattern: '/v1.0/security/alerts', permissions: LEGACY_READ, handler: legacyAlerts },
  ];
}
