import type { FakeCloud } from './fake-cloud.js';
import { FAULT_PRESETS, type FaultSpec } from './faults.js';
import { ACTION_OUTCOMES, type ActionScriptInput } from './machine-actions.js';
import type { MachineActionStatus } from './model.js';
import type { RequestFilter } from './recorder.js';
import { isPlainObject, json, parseJsonBody, type RouteContext, type RouteDef, type ServiceErrors } from './router.js';
import { SERVICES, type FakeResponse, type Service } from './types.js';

const STATUSES: readonly MachineActionStatus[] = [
  'Pending',
  'InProgress',
  'Succeeded',
  'Failed',
  'TimeOut',
  'Cancelled',
];

const problem = (status: number, message: string): FakeResponse =>
  json(status, { error: { code: status === 404 ? 'NotFound' : 'BadRequest', message } });

export const controlErrors: ServiceErrors = {
  notFound: (req) => problem(404, `No control endpoint at ${req.path}.`),
  methodNotAllowed: (req) => problem(405, `${req.method} is not allowed on ${req.path}.`),
  internal: (_req, error) => problem(400, error instanceof Error ? error.message : String(error)),
};

/**
 * The fake's own HTTP API under `/_fake/`, for tests, demos and benchmarks that run it in another process.
 * No authentication: the fake listens on 127.0.0.1 only.
 */
export function controlRoutes(fake: FakeCloud): RouteDef[] {
  const body = (ctx: RouteContext): Record<string, unknown> => {
    const parsed = parseJsonBody(ctx.req);
    if (!isPlainObject(parsed)) throw new Error('Expected a JSON object body.');
    return parsed;
  };
  /** One object, an array, or `{ value: [...] }` as Graph lists them. */
  const many = (ctx: RouteContext): Record<string, unknown>[] => {
    const parsed = parseJsonBody(ctx.req);
    const list = Array.isArray(parsed)
      ? parsed
      : isPlainObject(parsed) && Array.isArray(parsed.value)
        ? parsed.value
        : [parsed];
    if (!list.every(isPlainObject))
      throw new Error('Expected a JSON object, an array of objects, or { "value": [...] }.');
    return list as Record<string, unknown>[];
  };
  const created = (value: unknown) => json(201, value);
  const add = <T>(pattern: string, adder: (input: never) => T): RouteDef => ({
    method: 'POST',
    pattern,
    handler: (ctx) => created(adder(body(ctx) as never)),
  });

  return [
    // A webhook receiver (Teams workflow, Slack, generic): records the call, answers `?status=` (default 200).
    {
      method: 'POST',
      pattern: '/hooks/:name',
      handler: (ctx) => {
        const status = Number(ctx.req.query.get('status') ?? 200);
        fake.recordWebhook({
          name: ctx.params.name!,
          authorization: ctx.req.headers.authorization ?? null,
          contentType: ctx.req.headers['content-type'] ?? null,
          body: parseJsonBody(ctx.req) ?? ctx.req.body,
        });
        if (status >= 300 && status < 400)
          return { status, headers: { location: 'https://169.254.169.254/latest/meta-data/' } };
        return json(status, status < 300 ? { ok: true } : { error: 'refused' });
      },
    },
    {
      method: 'GET',
      pattern: '/health',
      handler: () => json(200, { ok: true, url: fake.url, endpoints: fake.endpoints }),
    },
    {
      method: 'GET',
      pattern: '/requests',
      handler: (ctx) => json(200, { value: fake.requests(filterFrom(ctx.req.query)) }),
    },
    {
      method: 'GET',
      pattern: '/counts',
      handler: (ctx) => {
        const filter = filterFrom(ctx.req.query);
        return json(200, {
          ...fake.requestSummary(),
          ...(Object.keys(filter).length ? { count: fake.count(filter) } : {}),
        });
      },
    },
    {
      method: 'GET',
      pattern: '/faults',
      handler: () =>
        json(200, {
          value: fake.faults.list().map((f) => ({
            id: f.id,
            seen: f.seen,
            fired: f.fired,
            spec: { ...f.spec, path: f.spec.path?.toString() },
          })),
        }),
    },
    {
      method: 'POST',
      pattern: '/faults',
      handler: (ctx) => created({ id: fake.faults.inject(faultFrom(body(ctx))).id }),
    },
    { method: 'DELETE', pattern: '/faults', handler: () => (fake.faults.clear(), { status: 204 }) },
    {
      method: 'DELETE',
      pattern: '/faults/:id',
      handler: (ctx) =>
        fake.faults.removeById(ctx.params.id!) ? { status: 204 } : problem(404, `No fault ${ctx.params.id}.`),
    },
    {
      method: 'POST',
      pattern: '/reset',
      handler: (ctx) => {
        fake.reset();
        const seed = ctx.req.body.trim() ? body(ctx).seed : undefined;
        return seed === 'demo' ? json(200, fake.seedDemo()) : { status: 204 };
      },
    },
    { method: 'POST', pattern: '/seed/demo', handler: () => json(200, fake.seedDemo()) },
    add('/tenants', (i) => {
      const tenant = fake.addTenant(i);
      return { id: tenant.id, displayName: tenant.displayName, domains: tenant.domains };
    }),
    add('/apps', (i) => fake.addApp(i)),
    add('/managedIdentities', (i) => fake.addManagedIdentity(i)),
    add('/users', (i) => fake.addUser(i)),
    add('/groups', (i) => fake.addGroup(i)),
    add('/directoryRoles', (i) => fake.addDirectoryRole(i)),
    add('/machines', (i) => fake.addMachine(i)),
    { method: 'POST', pattern: '/alerts', handler: (ctx) => created({ value: fake.addAlerts(many(ctx)) }) },
    { method: 'POST', pattern: '/incidents', handler: (ctx) => created({ value: fake.addIncidents(many(ctx)) }) },
    {
      method: 'GET',
      pattern: '/users/:id',
      handler: (ctx) =>
        found(fake.getUser(ctx.params.id!, ctx.req.query.get('tenant') ?? undefined), `user ${ctx.params.id}`),
    },
    {
      method: 'GET',
      pattern: '/machines/:id',
      handler: (ctx) =>
        found(fake.getMachine(ctx.params.id!, ctx.req.query.get('tenant') ?? undefined), `machine ${ctx.params.id}`),
    },
    {
      method: 'GET',
      pattern: '/alerts/:id',
      handler: (ctx) =>
        found(fake.getAlert(ctx.params.id!, ctx.req.query.get('tenant') ?? undefined), `alert ${ctx.params.id}`),
    },
    {
      method: 'GET',
      pattern: '/machineactions',
      handler: (ctx) => {
        const q = ctx.req.query;
        const filter = {
          machineId: q.get('machineId') ?? undefined,
          type: (q.get('type') ?? undefined) as never,
          status: (q.get('status') ?? undefined) as never,
        };
        return json(200, { value: fake.listMachineActions(filter) });
      },
    },
    {
      method: 'GET',
      pattern: '/machineactions/:id',
      handler: (ctx) => found(fake.getMachineAction(ctx.params.id!), `machine action ${ctx.params.id}`),
    },
    {
      method: 'POST',
      pattern: '/machineactions/:id/complete',
      handler: (ctx) => {
        const status = ctx.req.body.trim() ? body(ctx).status : undefined;
        if (status !== undefined && !STATUSES.includes(status as MachineActionStatus))
          return problem(400, `status must be one of ${STATUSES.join(', ')}.`);
        if (!fake.getMachineAction(ctx.params.id!)) return problem(404, `No machine action ${ctx.params.id}.`);
        return json(200, fake.completeMachineAction(ctx.params.id!, status as MachineActionStatus | undefined));
      },
    },
    {
      method: 'POST',
      pattern: '/machineactions/script',
      handler: (ctx) => {
        const raw = body(ctx);
        const input = raw as unknown as ActionScriptInput;
        if (!ACTION_OUTCOMES.includes(input.outcome))
          return problem(400, `outcome must be one of ${ACTION_OUTCOMES.join(', ')}.`);
        const count = raw.count === 'unlimited' ? Infinity : typeof raw.count === 'number' ? raw.count : undefined;
        fake.scriptMachineActions({ ...input, count });
        return created({ outcome: input.outcome });
      },
    },
    {
      method: 'POST',
      pattern: '/devicecodes/:code/approve',
      handler: (ctx) => {
        const b = body(ctx);
        fake.approveDeviceCode(ctx.params.code!, String(b.user ?? ''));
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      pattern: '/devicecodes/:code/decline',
      handler: (ctx) => (fake.declineDeviceCode(ctx.params.code!), { status: 204 }),
    },
    { method: 'GET', pattern: '/devicecodes', handler: () => json(200, { value: fake.pendingDeviceCodes() }) },
  ];
}

function found(value: unknown, what: string): FakeResponse {
  return value === undefined ? problem(404, `No ${what}.`) : json(200, value);
}

/** `?service=graph&method=GET&path=/users&pathRegex=...&batched=true&status=429&afterSeq=10` */
export function filterFrom(query: URLSearchParams): RequestFilter {
  const filter: RequestFilter = {};
  const service = query.get('service');
  if (service) {
    if (!SERVICES.includes(service as Service)) throw new Error(`service must be one of ${SERVICES.join(', ')}.`);
    filter.service = service as Service;
  }
  if (query.get('method')) filter.method = query.get('method')!;
  if (query.get('path')) filter.path = query.get('path')!;
  if (query.get('pathRegex')) filter.path = new RegExp(query.get('pathRegex')!);
  if (query.get('batched')) filter.batched = query.get('batched') === 'true';
  if (query.get('status')) filter.status = Number(query.get('status'));
  if (query.get('afterSeq')) filter.afterSeq = Number(query.get('afterSeq'));
  return filter;
}

/** A fault from JSON: `path` is a regex source, `pathContains` a substring, `times` a number or "unlimited". */
export function faultFrom(input: Record<string, unknown>): FaultSpec {
  const { path, pathContains, times, preset, service, ...rest } = input;
  if (preset !== undefined && !FAULT_PRESETS.includes(preset as never))
    throw new Error(`preset must be one of ${FAULT_PRESETS.join(', ')}.`);
  if (service !== undefined && !SERVICES.includes(service as Service))
    throw new Error(`service must be one of ${SERVICES.join(', ')}.`);
  const spec: FaultSpec = {
    ...(rest as FaultSpec),
    preset: preset as FaultSpec['preset'],
    service: service as Service | undefined,
  };
  if (typeof path === 'string') spec.path = new RegExp(path);
  else if (typeof pathContains === 'string') spec.path = pathContains;
  if (times === 'unlimited' || times === null || times === -1) spec.times = Infinity;
  else if (typeof times === 'number') spec.times = times;
  return spec;
}
