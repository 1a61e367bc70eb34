import { ResponseError } from './errors.js';
import type { TenantData } from './state.js';
import { grantedPermissions, verifyBearer, type TokenProblem } from './tokens.js';
import type { FakeRequest, FakeResponse, ResourceName, TokenClaims } from './types.js';

export interface RouteContext {
  req: FakeRequest;
  params: Record<string, string>;
}

/** The context of a route on a service that requires a bearer token: the verified token and its tenant. */
export interface AuthedContext extends RouteContext {
  token: TokenClaims;
  tenant: TenantData;
}

export type Handler<C extends RouteContext = RouteContext> = (ctx: C) => FakeResponse | Promise<FakeResponse>;

/** A route: `pattern` segments are literals (case-insensitive, as Graph's are) or `:params`. */
export interface RouteDef<C extends RouteContext = RouteContext> {
  method: string;
  pattern: string;
  /** Any one of these permissions (app roles or delegated scopes) lets the call through. */
  permissions?: readonly string[];
  handler: Handler<C>;
}

interface CompiledRoute<C extends RouteContext> extends RouteDef<C> {
  parts: Array<{ literal: string } | { param: string }>;
}

type Match<C extends RouteContext> = { route: CompiledRoute<C>; params: Record<string, string> };

/** A small segment router: no regexes at request time, routes tried in the order they were added. */
export class Router<C extends RouteContext = RouteContext> {
  private readonly bySize = new Map<number, CompiledRoute<C>[]>();

  constructor(routes: RouteDef<C>[]) {
    for (const route of routes) {
      const parts = route.pattern
        .split('/')
        .filter(Boolean)
        .map((p) => (p.startsWith(':') ? { param: p.slice(1) } : { literal: p.toLowerCase() }));
      const list = this.bySize.get(parts.length) ?? [];
      list.push({ ...route, parts });
      this.bySize.set(parts.length, list);
    }
  }

  match(method: string, segments: string[]): Match<C> | 'method-not-allowed' | undefined {
    let pathMatched = false;
    for (const route of this.bySize.get(segments.length) ?? []) {
      const params = matchParts(route.parts, segments);
      if (!params) continue;
      if (route.method === method) return { route, params };
      pathMatched = true;
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }
}

function matchParts(
  parts: CompiledRoute<RouteContext>['parts'],
  segments: string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const segment = segments[i]!;
    if ('literal' in part) {
      if (part.literal !== segment.toLowerCase()) return undefined;
    } else {
      if (!segment) return undefined;
      params[part.param] = segment;
    }
  }
  return params;
}

/** How a service speaks when it refuses a request. */
export interface ServiceErrors {
  notFound(req: FakeRequest): FakeResponse;
  methodNotAllowed(req: FakeRequest): FakeResponse;
  internal(req: FakeRequest, error: unknown): FakeResponse;
  unauthorized?(req: FakeRequest, problem: TokenProblem | 'tenant'): FakeResponse;
  forbidden?(req: FakeRequest): FakeResponse;
}

export interface ServiceAuth {
  resource: ResourceName;
  resourceOf: (aud: string) => ResourceName | undefined;
  tenantOf: (tenantId: string) => TenantData | undefined;
}

export type ServiceHandler = (req: FakeRequest) => Promise<FakeResponse>;

/** Routes a request on a service without bearer tokens (identity, managed identity) and runs the handler. */
export function createPublicHandler(router: Router, errors: ServiceErrors): ServiceHandler {
  return (req) =>
    guard(req, errors, () => {
      const found = router.match(req.method, req.segments);
      if (found === undefined) return errors.notFound(req);
      if (found === 'method-not-allowed') return errors.methodNotAllowed(req);
      return found.route.handler({ req, params: found.params });
    });
}

/** Routes a request, checks its bearer token and the route's permissions, and runs the handler. */
export function createAuthedHandler(
  router: Router<AuthedContext>,
  errors: ServiceErrors & Required<Pick<ServiceErrors, 'unauthorized' | 'forbidden'>>,
  auth: ServiceAuth,
): ServiceHandler {
  return (req) =>
    guard(req, errors, () => {
      const found = router.match(req.method, req.segments);
      if (found === undefined) return errors.notFound(req);
      if (found === 'method-not-allowed') return errors.methodNotAllowed(req);
      const verified = verifyBearer(req.headers.authorization, auth.resource, auth.resourceOf);
      if ('problem' in verified) return errors.unauthorized(req, verified.problem);
      const token = verified.claims;
      const tenant = auth.tenantOf(token.tid);
      if (!tenant) return errors.unauthorized(req, 'tenant');
      const needed = found.route.permissions;
      if (needed && !grantedPermissions(token).some((p) => needed.includes(p))) return errors.forbidden(req);
      return found.route.handler({ req, params: found.params, token, tenant });
    });
}

async function guard(
  req: FakeRequest,
  errors: ServiceErrors,
  run: () => FakeResponse | Promise<FakeResponse>,
): Promise<FakeResponse> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ResponseError) return error.response;
    return errors.internal(req, error);
  }
}

/** Parses a JSON request body; `undefined` when it is empty or not JSON. */
export function parseJsonBody(req: FakeRequest): unknown {
  if (!req.body.trim()) return undefined;
  try {
    return JSON.parse(req.body) as unknown;
  } catch {
    return undefined;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body };
}
