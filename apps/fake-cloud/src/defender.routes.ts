import { fail, mdeError } from './errors.js';
import { machineView } from './entities.js';
import type { MachineActionEngine } from './machine-actions.js';
import type { MachineActionType } from './model.js';
import { FilterError } from './odata-filter.js';
import { applyListQuery, nextLink, type ListQueryOptions } from './odata-query.js';
import { isPlainObject, json, parseJsonBody, type AuthedContext, type RouteDef, type ServiceErrors } from './router.js';
import type { FakeRequest, FakeResponse } from './types.js';

const MACHINE_READ = ['Machine.Read.All', 'Machine.ReadWrite.All'];
const MACHINE_ISOLATE = ['Machine.Isolate'];
const ISOLATION_TYPES = ['Full', 'Selective', 'UnManagedDevice'];

const MACHINE_QUERY: ListQueryOptions = {
  filterFields: [
    'computerDnsName', 'id', 'version', 'deviceValue', 'aadDeviceId', 'machineTags', 'lastSeen', 'exposureLevel',
    'onboardingStatus', 'lastIpAddress', 'healthStatus', 'osPlatform', 'riskScore', 'rbacGroupId',
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

const TOKEN_MESSAGES = {
  missing: 'Authorization header is missing or empty.',
  malformed: 'The access token is not valid.',
  expired: 'The access token has expired.',
  audience: 'The access token audience is not valid for this API.',
  tenant: 'The tenant is not known.',
};

export const defenderErrors: Required<ServiceErrors> = {
  notFound: (req) => mdeError(404, 'NotFound', `No route matches '${req.path}'.`),
  methodNotAllowed: (req) => mdeError(405, 'BadRequest', `The requested resource does not support http method '${req.method}'.`),
  internal: () => mdeError(500, 'InternalServerError', 'An internal error occurred.'),
  unauthorized: (_req, problem) => mdeError(401, 'Unauthorized', TOKEN_MESSAGES[problem]),
  forbidden: () => mdeError(403, 'Forbidden', 'The application does not have the required permissions for this operation.'),
};

/** Defender for Endpoint routes (`/defender/api/...`). */
export function defenderRoutes(defenderBase: string, engine: MachineActionEngine): RouteDef<AuthedContext>[] {
  const context = (fragment: string) => `${defenderBase}/api/$metadata#${fragment}`;
  const ok = (status: number, body: unknown) => json(status, body, { 'odata-version': '4.0' });

  const requireMachine = (ctx: AuthedContext) =>
    ctx.tenant.machines.get(ctx.params.id!.toLowerCase()) ?? fail(mdeError(404, 'ResourceNotFound', `Machine ${ctx.params.id} was not found`));

  const requireAction = (ctx: AuthedContext) =>
    ctx.tenant.machineActions.get(ctx.params.id!.toLowerCase()) ??
    fail(mdeError(404, 'ResourceNotFound', `Machine action ${ctx.params.id} was not found`));

  const list = <T extends object>(ctx: AuthedContext, items: T[], options: ListQueryOptions, fragment: string, view: (t: T) => unknown) => {
    const page = mdeQuery(() => applyListQuery(items, ctx.req.query, options));
    return ok(200, {
      '@odata.context': context(fragment),
      value: page.items.map(view),
      ...(page.nextSkip !== undefined ? { '@odata.nextLink': nextLink(`${defenderBase}${ctx.req.path.slice('/defender'.length)}`, ctx.req.query, page.nextSkip) } : {}),
    });
  };

  const startAction = (type: MachineActionType) => (ctx: AuthedContext): FakeResponse => {
    const machine = requireMachine(ctx);
    const body = readActionBody(ctx.req, type === 'Isolate' ? ['Comment', 'IsolationType'] : ['Comment']);
    if (engine.activeAction(ctx.tenant, machine.id, type)) {
      fail(mdeError(400, 'ActiveRequestAlreadyExists', 'Action is already in progress'));
    }
    const scope = type === 'Isolate' ? ((body.IsolationType as string | undefined) ?? 'Full') : null;
    const action = engine.create(ctx.tenant, machine, { type, comment: body.Comment as string, scope, requestor: ctx.token.upn ?? ctx.token.appid });
    return ok(201, { '@odata.context': context('MachineActions/$entity'), ...action });
  };

  const cancel = (ctx: AuthedContext) => {
    const action = requireAction(ctx);
    const body = readActionBody(ctx.req, ['Comment']);
    if (action.status !== 'Pending' && action.status !== 'InProgress') {
      fail(mdeError(400, 'BadRequest', `Machine action ${action.id} is ${action.status} and cannot be cancelled`));
    }
    engine.complete(ctx.tenant, action, 'Cancelled', { requestor: ctx.token.upn ?? ctx.token.appid, comment: body.Comment as string });
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
    { method: 'POST', pattern: '/api/machines/:id/isolate', permissions: MACHINE_ISOLATE, handler: startAction('Isolate') },
    { method: 'POST', pattern: '/api/machines/:id/unisolate', permissions: MACHINE_ISOLATE, handler: startAction('Unisolate') },
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
  ];
}

/** MDE's body parameter names are case-sensitive: an unknown key (`comment`) is refused, not ignored. */
function readActionBody(req: FakeRequest, allowed: string[]): Record<string, unknown> {
  const body = parseJsonBody(req);
  if (!isPlainObject(body)) fail(mdeError(400, 'InvalidRequestBody', 'Request body is missing or is not a JSON object.'));
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      fail(mdeError(400, 'InvalidRequestBody', `Unknown parameter '${key}'. Parameter names are case-sensitive: ${allowed.join(', ')}.`));
    }
  }
  if (typeof body.Comment !== 'string' || !body.Comment.trim()) {
    fail(mdeError(400, 'MissingRequiredParameter', "Required parameter 'Comment' is missing."));
  }
  if (body.IsolationType !== undefined && !ISOLATION_TYPES.includes(body.IsolationType as string)) {
    fail(mdeError(400, 'InvalidRequestBody', `IsolationType must be one of ${ISOLATION_TYPES.join(', ')}.`));
  }
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
