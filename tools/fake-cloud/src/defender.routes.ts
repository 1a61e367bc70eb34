import { fail, mdeError } from './errors.js';
import { machineView } from './entities.js';
import type { MachineActionEngine } from './machine-actions.js';
import type { Indicator, MachineActionType } from './model.js';
import { FilterError } from './odata-filter.js';
import { applyListQuery, nextLink, type ListQueryOptions } from './odata-query.js';
import { isPlainObject, json, parseJsonBody, type AuthedContext, type RouteDef, type ServiceErrors } from './router.js';
import type { FakeRequest, FakeResponse } from './types.js';

const MACHINE_READ = ['Machine.Read.All', 'Machine.ReadWrite.All'];
const MACHINE_ISOLATE = ['Machine.Isolate'];
const MACHINE_WRITE = ['Machine.ReadWrite.All'];
const ALERT_READ = ['Alert.Read.All', 'Alert.ReadWrite.All'];
const USER_READ = ['User.Read.All', 'User.ReadWrite.All'];
const FILE_READ = ['File.Read.All'];
const TI_READ = ['Ti.Read.All', 'Ti.ReadWrite', 'Ti.ReadWrite.All'];
const TI_WRITE = ['Ti.ReadWrite', 'Ti.ReadWrite.All'];
const INDICATOR_TYPES = [
  'FileSha1',
  'FileSha256',
  'FileMd5',
  'IpAddress',
  'DomainName',
  'Url',
  'CertificateThumbprint',
];
const INDICATOR_ACTIONS = ['Alert', 'AlertAndBlock', 'Block', 'Allowed', 'Warn', 'Audit', 'BlockAndRemediate'];

/** Machine actions beyond isolation: the route's last segment, the action type, its permission and its body parameters. */
const MACHINE_ACTIONS: { segment: string; type: MachineActionType; permissions: string[]; params: string[] }[] = [
  {
    segment: 'runAntiVirusScan',
    type: 'RunAntiVirusScan',
    permissions: ['Machine.Scan'],
    params: ['Comment', 'ScanType'],
  },
  {
    segment: 'restrictCodeExecution',
    type: 'RestrictCodeExecution',
    permissions: ['Machine.RestrictExecution'],
    params: ['Comment'],
  },
  {
    segment: 'unrestrictCodeExecution',
    type: 'UnrestrictCodeExecution',
    permissions: ['Machine.RestrictExecution'],
    params: ['Comment'],
  },
  {
    segment: 'collectInvestigationPackage',
    type: 'CollectInvestigationPackage',
    permissions: ['Machine.CollectForensics'],
    params: ['Comment'],
  },
  {
    segment: 'StopAndQuarantineFile',
    type: 'StopAndQuarantineFile',
    permissions: ['Machine.StopAndQuarantine'],
    params: ['Comment', 'Sha1'],
  },
];
const ISOLATION_TYPES = ['Full', 'Selective', 'UnManagedDevice'];

const MACHINE_QUERY: ListQueryOptions = {
  filterFields: [
    'computerDnsName',
    'id',
    'version',
    'deviceValue',
    'aadDeviceId',
    'machineTags',
    'lastSeen',
    'exposureLevel',
    'onboardingStatus',
    'lastIpAddress',
    'healthStatus',
    'osPlatform',
    'riskScore',
    'rbacGroupId',
  ],
  orderFields: ['lastSeen', 'firstSeen', 'computerDnsName'],
  entity: 'Machine',
  defaultTop: 10_000,
  maxTop: 10_000,
};

const ACTION_QUERY: ListQueryOptions = {
  filterFields: ['id', 'status', 'machineId', 'type', 'requestor', 'creationDateTimeUtc'],
  orderFields: ['creationDateTimeUtc', 'lastUpdateDateTimeUtc'],
  entity: 'MachineAction',
  defaultTop: 10_000,
  maxTop: 10_000,
};

const ALERT_QUERY: ListQueryOptions = {
  filterFields: ['id', 'status', 'severity', 'category', 'alertCreationTime', 'lastUpdateTime', 'incidentId'],
  orderFields: ['alertCreationTime', 'lastUpdateTime'],
  entity: 'Alert',
  defaultTop: 10_000,
  maxTop: 10_000,
};

const INDICATOR_QUERY: ListQueryOptions = {
  filterFields: ['id', 'indicatorValue', 'indicatorType', 'action', 'createdBy', 'severity', 'expirationTime'],
  orderFields: ['creationTimeDateTimeUtc', 'lastUpdateTime'],
  entity: 'Indicator',
  defaultTop: 10_000,
  maxTop: 10_000,
};

const TOKEN_MESSAGES = {
  missing: 'Authorization header is missing or empty.',
  malformed: 'The access token is not valid.',
  expired: 'The access token has expired.',
  audience: 'The access token audience is not valid for this API.',
  tenant: 'The tenant is not known.',
};

export const defenderErrors: Required<ServiceErrors> = {
  notFound: (req) => mdeError(404, 'NotFound', `No route matches '${req.path}'.`),
  methodNotAllowed: (req) =>
    mdeError(405, 'BadRequest', `The requested resource does not support http method '${req.method}'.`),
  internal: () => mdeError(500, 'InternalServerError', 'An internal error occurred.'),
  unauthorized: (_req, problem) => mdeError(401, 'Unauthorized', TOKEN_MESSAGES[problem]),
  forbidden: () =>
    mdeError(403, 'Forbidden', 'The application does not have the required permissions for this operation.'),
};

/** Defender for Endpoint routes (`/defender/api/...`). */
export function defenderRoutes(defenderBase: string, engine: MachineActionEngine): RouteDef<AuthedContext>[] {
  const context = (fragment: string) => `${defenderBase}/api/$metadata#${fragment}`;
  const ok = (status: number, body: unknown) => json(status, body, { 'odata-version': '4.0' });

  const requireMachine = (ctx: AuthedContext) =>
    ctx.tenant.machines.get(ctx.params.id!.toLowerCase()) ??
    fail(mdeError(404, 'ResourceNotFound', `Machine ${ctx.params.id} was not found`));

  const requireAction = (ctx: AuthedContext) =>
    ctx.tenant.machineActions.get(ctx.params.id!.toLowerCase()) ??
    fail(mdeError(404, 'ResourceNotFound', `Machine action ${ctx.params.id} was not found`));

  const list = <T extends object>(
    ctx: AuthedContext,
    items: T[],
    options: ListQueryOptions,
    fragment: string,
    view: (t: T) => unknown,
  ) => {
    const page = mdeQuery(() => applyListQuery(items, ctx.req.query, options));
    return ok(200, {
      '@odata.context': context(fragment),
      value: page.items.map(view),
      ...(page.nextSkip !== undefined
        ? {
            '@odata.nextLink': nextLink(
              `${defenderBase}${ctx.req.path.slice('/defender'.length)}`,
              ctx.req.query,
              page.nextSkip,
            ),
          }
        : {}),
    });
  };

  const startAction =
    (type: MachineActionType, params = type === 'Isolate' ? ['Comment', 'IsolationType'] : ['Comment']) =>
    (ctx: AuthedContext): FakeResponse => {
      const machine = requireMachine(ctx);
      const body = readActionBody(ctx.req, params);
      if (engine.activeAction(ctx.tenant, machine.id, type)) {
        fail(mdeError(400, 'ActiveRequestAlreadyExists', 'Action is already in progress'));
      }
      const scope =
        type === 'Isolate'
          ? ((body.IsolationType as string | undefined) ?? 'Full')
          : type === 'RunAntiVirusScan'
            ? ((body.ScanType as string | undefined) ?? 'Quick')
            : null;
      const relatedFileInfo =
        type === 'StopAndQuarantineFile'
          ? { fileIdentifier: String(body.Sha1).toLowerCase(), fileIdentifierType: 'Sha1' as const }
          : null;
      const action = engine.create(ctx.tenant, machine, {
        type,
        comment: body.Comment as string,
        scope,
        requestor: ctx.token.upn ?? ctx.token.appid,
        relatedFileInfo,
      });
      return ok(201, { '@odata.context': context('MachineActions/$entity'), ...action });
    };

  /** `{ "Value": "tag", "Action": "Add" | "Remove" }` → 200 with the machine. */
  const tags = (ctx: AuthedContext) => {
    const machine = requireMachine(ctx);
    const body = parseJsonBody(ctx.req);
    if (
      !isPlainObject(body) ||
      typeof body.Value !== 'string' ||
      !body.Value.trim() ||
      body.Value.length > 200 ||
      !['Add', 'Remove'].includes(body.Action as string)
    ) {
      fail(
        mdeError(400, 'InvalidRequestBody', "Value (1 to 200 characters) and Action ('Add' or 'Remove') are required."),
      );
    }
    const value = body.Value;
    const has = machine.machineTags.some((t) => t.toLowerCase() === value.toLowerCase());
    if (body.Action === 'Add' && !has) machine.machineTags.push(value);
    if (body.Action === 'Remove')
      machine.machineTags = machine.machineTags.filter((t) => t.toLowerCase() !== value.toLowerCase());
    return ok(200, { '@odata.context': context('Machines/$entity'), ...machineView(machine) });
  };

  let indicatorSeq = 5000;
  /** Submit or update: an indicator with the same value and type is updated in place, as MDE does. */
  const submitIndicator = (ctx: AuthedContext) => {
    const body = parseJsonBody(ctx.req);
    if (!isPlainObject(body))
      fail(mdeError(400, 'InvalidRequestBody', 'Request body is missing or is not a JSON object.'));
    const { indicatorValue, indicatorType, action, title, description } = body;
    if (typeof indicatorValue !== 'string' || !indicatorValue)
      fail(mdeError(400, 'InvalidRequestBody', "Required parameter 'indicatorValue' is missing."));
    if (!INDICATOR_TYPES.includes(indicatorType as string))
      fail(mdeError(400, 'InvalidRequestBody', `indicatorType must be one of ${INDICATOR_TYPES.join(', ')}.`));
    if (!INDICATOR_ACTIONS.includes(action as string))
      fail(mdeError(400, 'InvalidRequestBody', `action must be one of ${INDICATOR_ACTIONS.join(', ')}.`));
    if (typeof title !== 'string' || !title)
      fail(mdeError(400, 'InvalidRequestBody', "Required parameter 'title' is missing."));
    if (typeof description !== 'string' || !description)
      fail(mdeError(400, 'InvalidRequestBody', "Required parameter 'description' is missing."));
    if (
      body.expirationTime !== undefined &&
      (typeof body.expirationTime !== 'string' || Number.isNaN(Date.parse(body.expirationTime)))
    )
      fail(mdeError(400, 'InvalidRequestBody', 'expirationTime is not a date-time.'));
    const now = new Date().toISOString();
    const existing = [...ctx.tenant.indicators.values()].find(
      (i) => i.indicatorType === indicatorType && i.indicatorValue.toLowerCase() === indicatorValue.toLowerCase(),
    );
    const indicator: Indicator = {
      id: existing?.id ?? ++indicatorSeq,
      indicatorValue,
      indicatorType: indicatorType as Indicator['indicatorType'],
      action: action as string,
      title,
      description,
      severity: typeof body.severity === 'string' ? body.severity : 'Informational',
      expirationTime: typeof body.expirationTime === 'string' ? body.expirationTime : null,
      creationTimeDateTimeUtc: existing?.creationTimeDateTimeUtc ?? now,
      lastUpdateTime: now,
      createdBy: ctx.token.appid,
      createdBySource: 'PublicApi',
      generateAlert: body.generateAlert === true,
      recommendedActions: typeof body.recommendedActions === 'string' ? body.recommendedActions : null,
      rbacGroupNames: [],
    };
    ctx.tenant.indicators.set(String(indicator.id), indicator);
    return ok(200, { '@odata.context': context('Indicators/$entity'), ...indicator });
  };

  const deleteIndicator = (ctx: AuthedContext) => {
    if (!ctx.tenant.indicators.delete(ctx.params.id!))
      fail(mdeError(404, 'ResourceNotFound', `Indicator ${ctx.params.id} was not found`));
    return { status: 204, headers: {} };
  };

  const file = (ctx: AuthedContext) => {
    const profile =
      ctx.tenant.files.get(ctx.params.id!.toLowerCase()) ??
      fail(mdeError(404, 'ResourceNotFound', `File ${ctx.params.id} was not found`));
    return ok(200, { '@odata.context': context('Files/$entity'), ...profile });
  };

  const cancel = (ctx: AuthedContext) => {
    const action = requireAction(ctx);
    const body = readActionBody(ctx.req, ['Comment']);
    if (action.status !== 'Pending' && action.status !== 'InProgress') {
      fail(mdeError(400, 'BadRequest', `Machine action ${action.id} is ${action.status} and cannot be cancelled`));
    }
    engine.complete(ctx.tenant, action, 'Cancelled', {
      requestor: ctx.token.upn ?? ctx.token.appid,
      comment: body.Comment as string,
    });
    return ok(200, { '@odata.context': context('MachineActions/$entity'), ...action });
  };

  return [
    {
      method: 'GET',
      pattern: '/api/machines',
      permissions: MACHINE_READ,
      handler: (ctx) => list(ctx, [...ctx.tenant.machines.values()], MACHINE_QUERY, 'Machines', machineView),
    },
    {
      method: 'GET',
      pattern: '/api/machines/:id',
      permissions: MACHINE_READ,
      handler: (ctx) => ok(200, { '@odata.context': context('Machines/$entity'), ...machineView(requireMachine(ctx)) }),
    },
    {
      method: 'POST',
      pattern: '/api/machines/:id/isolate',
      permissions: MACHINE_ISOLATE,
      handler: startAction('Isolate'),
    },
    {
      method: 'POST',
      pattern: '/api/machines/:id/unisolate',
      permissions: MACHINE_ISOLATE,
      handler: startAction('Unisolate'),
    },
    {
      method: 'GET',
      pattern: '/api/machineactions',
      permissions: MACHINE_READ,
      handler: (ctx) => list(ctx, [...ctx.tenant.machineActions.values()], ACTION_QUERY, 'MachineActions', (a) => a),
    },
    {
      method: 'GET',
      pattern: '/api/machineactions/:id',
      permissions: MACHINE_READ,
      handler: (ctx) => ok(200, { '@odata.context': context('MachineActions/$entity'), ...requireAction(ctx) }),
    },
    { method: 'POST', pattern: '/api/machineactions/:id/cancel', permissions: MACHINE_ISOLATE, handler: cancel },
    ...MACHINE_ACTIONS.map((a) => ({
      method: 'POST',
      pattern: `/api/machines/:id/${a.segment}`,
      permissions: a.permissions,
      handler: startAction(a.type, a.params),
    })),
    { method: 'POST', pattern: '/api/machines/:id/tags', permissions: MACHINE_WRITE, handler: tags },
    {
      method: 'GET',
      pattern: '/api/machines/:id/alerts',
      permissions: ALERT_READ,
      handler: (ctx) => {
        const machine = requireMachine(ctx);
        return list(
          ctx,
          ctx.tenant.defenderAlerts.filter((a) => a.machineId === machine.id.toLowerCase()),
          ALERT_QUERY,
          'Alerts',
          (a) => a,
        );
      },
    },
    {
      method: 'GET',
      pattern: '/api/machines/:id/logonusers',
      permissions: USER_READ,
      handler: (ctx) =>
        ok(200, {
          '@odata.context': context('Users'),
          value: ctx.tenant.logonUsers.get(requireMachine(ctx).id.toLowerCase()) ?? [],
        }),
    },
    { method: 'GET', pattern: '/api/files/:id', permissions: FILE_READ, handler: file },
    {
      method: 'GET',
      pattern: '/api/indicators',
      permissions: TI_READ,
      handler: (ctx) => list(ctx, [...ctx.tenant.indicators.values()], INDICATOR_QUERY, 'Indicators', (i) => i),
    },
    { method: 'POST', pattern: '/api/indicators', permissions: TI_WRITE, handler: submitIndicator },
    { method: 'DELETE', pattern: '/api/indicators/:id', permissions: TI_WRITE, handler: deleteIndicator },
  ];
}

/** MDE's body parameter names are case-sensitive: an unknown key (`comment`) is refused, not ignored. */
function readActionBody(req: FakeRequest, allowed: string[]): Record<string, unknown> {
  const body = parseJsonBody(req);
  if (!isPlainObject(body))
    fail(mdeError(400, 'InvalidRequestBody', 'Request body is missing or is not a JSON object.'));
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      fail(
        mdeError(
          400,
          'InvalidRequestBody',
          `Unknown parameter '${key}'. Parameter names are case-sensitive: ${allowed.join(', ')}.`,
        ),
      );
    }
  }
  if (typeof body.Comment !== 'string' || !body.Comment.trim()) {
    fail(mdeError(400, 'MissingRequiredParameter', "Required parameter 'Comment' is missing."));
  }
  if (body.IsolationType !== undefined && !ISOLATION_TYPES.includes(body.IsolationType as string)) {
    fail(mdeError(400, 'InvalidRequestBody', `IsolationType must be one of ${ISOLATION_TYPES.join(', ')}.`));
  }
  if (body.ScanType !== undefined && !['Quick', 'Full'].includes(body.ScanType as string))
    fail(mdeError(400, 'InvalidRequestBody', 'ScanType must be Quick or Full.'));
  if (allowed.includes('Sha1') && !/^[0-9a-f]{40}$/i.test(String(body.Sha1 ?? '')))
    fail(mdeError(400, 'InvalidRequestBody', "Required parameter 'Sha1' is missing or is not a SHA-1."));
  return body;
}

function mdeQuery<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof FilterError) fail(mdeError(400, 'ODataError', error.message));
    throw error;
  }
}
