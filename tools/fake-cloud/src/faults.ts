import { randomUUID } from 'node:crypto';
import { aadsts } from './aadsts.js';
import { defenderErrors } from './defender.routes.js';
import { graphError, mdeError, msiError, serviceError } from './errors.js';
import { graphErrors } from './graph-common.js';
import type { FakeRequest, FakeResponse, Service } from './types.js';

export type FaultPreset =
  | 'throttle'
  | 'invalidSecret'
  | 'expiredSecret'
  | 'unknownTenant'
  | 'unknownApp'
  | 'forbidden'
  | 'notFound'
  | 'serverError'
  | 'unavailable'
  | 'resetConnection';

export const FAULT_PRESETS: readonly FaultPreset[] = [
  'throttle',
  'invalidSecret',
  'expiredSecret',
  'unknownTenant',
  'unknownApp',
  'forbidden',
  'notFound',
  'serverError',
  'unavailable',
  'resetConnection',
];

/**
 * When the real handler runs relative to the delay:
 * - `after`: wait, then handle (a slow answer; the default when the fault only delays);
 * - `before`: handle at once (Azure acts), then wait, then answer (the fault's answer if it has one);
 * - `none`: never handle (the default when the fault answers or resets); a delay-only fault then resets after the delay;
 * - `late`: Azure received it (it is in the request log at once) but applies it only after the
 *   delay, whether or not anyone still waits for the answer (a caller killed meanwhile, or one
 *   that looked for it and found nothing yet); then answers.
 */
export type FaultEffect = 'before' | 'after' | 'none' | 'late';

export interface FaultSpec {
  service?: Service;
  method?: string;
  /** Substring of, or RegExp tested on, the decoded path including the service prefix (`/graph/v1.0/users/…`). */
  path?: string | RegExp;
  /** Only inner `$batch` requests (`true`) or only wire requests (`false`). */
  batched?: boolean;
  /** Start firing at the nth matching request, counted from injection (1-based; default 1). */
  nth?: number;
  /** How many times it fires (default 1; `Infinity` or `'unlimited'` for ever). */
  times?: number | 'unlimited';
  preset?: FaultPreset;
  /** Seconds for `Retry-After` on `throttle` (default 1) and `unavailable` (none by default). Fractions allowed. */
  retryAfter?: number;
  /** A custom answer; without `body`, a body in the service's error shape is generated for `status` ≥ 400. */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  delayMs?: number;
  effect?: FaultEffect;
}

export interface FaultHandle {
  readonly id: string;
  /** Matching requests seen so far. */
  readonly seen: number;
  /** Times it fired. */
  readonly fired: number;
  remove(): void;
}

/** What the dispatcher does with a request a fault caught. */
export interface FaultPlan {
  name: string;
  delayMs: number;
  effect: FaultEffect;
  /** The fault's own answer; undefined when it only delays. */
  respond?: (req: FakeRequest) => FakeResponse;
}

const TOKEN_PATH = /\/oauth2\/v2\.0\/token$/;
const IDENTITY_PRESETS = new Set<FaultPreset>(['invalidSecret', 'expiredSecret', 'unknownTenant', 'unknownApp']);

class ActiveFault implements FaultHandle {
  readonly id = randomUUID();
  seen = 0;
  fired = 0;
  readonly service?: Service;
  readonly path?: string | RegExp;
  readonly times: number;

  constructor(
    readonly spec: FaultSpec,
    private readonly registry: FaultRegistry,
  ) {
    const identityPreset = spec.preset !== undefined && IDENTITY_PRESETS.has(spec.preset);
    this.service = spec.service ?? (identityPreset ? 'identity' : undefined);
    this.path =
      spec.path instanceof RegExp ? new RegExp(spec.path.source, spec.path.flags.replace('g', '')) : spec.path;
    if (this.path === undefined && identityPreset && !spec.service) this.path = TOKEN_PATH;
    this.times = spec.times === undefined ? 1 : spec.times === 'unlimited' ? Infinity : spec.times;
  }

  matches(req: FakeRequest): boolean {
    if (this.service && this.service !== req.service) return false;
    if (this.spec.method && this.spec.method.toUpperCase() !== req.method) return false;
    if (this.spec.batched !== undefined && this.spec.batched !== req.batched) return false;
    if (this.path instanceof RegExp) return this.path.test(req.path);
    return this.path === undefined || req.path.includes(this.path);
  }

  plan(): FaultPlan {
    const { spec } = this;
    const answers = spec.preset !== undefined || spec.status !== undefined;
    return {
      name: spec.preset ?? (spec.status !== undefined ? `status:${spec.status}` : `delay:${spec.delayMs ?? 0}`),
      delayMs: spec.delayMs ?? 0,
      effect: spec.effect ?? (answers ? 'none' : 'after'),
      respond: answers ? (req) => faultResponse(spec, req) : undefined,
    };
  }

  remove(): void {
    this.registry.remove(this);
  }
}

/** Faults injected by tests: the first live fault matching a request decides its fate. */
export class FaultRegistry {
  private faults: ActiveFault[] = [];

  inject(spec: FaultSpec): FaultHandle {
    const fault = new ActiveFault(spec, this);
    this.faults.push(fault);
    return fault;
  }

  remove(fault: FaultHandle): void {
    this.faults = this.faults.filter((f) => f !== fault);
  }

  removeById(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Array<FaultHandle & { spec: FaultSpec }> {
    return [...this.faults];
  }

  /** Counts the request against matching faults and returns the plan of the one that fires, if any. */
  take(req: FakeRequest): FaultPlan | undefined {
    if (this.faults.length === 0) return undefined;
    for (const fault of this.faults) {
      if (!fault.matches(req)) continue;
      fault.seen += 1;
      if (fault.seen < (fault.spec.nth ?? 1)) continue;
      fault.fired += 1;
      if (fault.fired >= fault.times) this.remove(fault);
      return fault.plan();
    }
    return undefined;
  }
}

function faultResponse(spec: FaultSpec, req: FakeRequest): FakeResponse {
  if (spec.preset) return presetResponse(spec.preset, req, spec.retryAfter);
  const status = spec.status!;
  const headers = Object.fromEntries(Object.entries(spec.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  if (spec.body === undefined) {
    if (status < 400) return { status, headers };
    const generated = serviceError(req.service, status, req);
    return { ...generated, headers: { ...generated.headers, ...headers } };
  }
  if (typeof spec.body === 'string')
    return { status, headers: { 'content-type': 'text/plain', ...headers }, text: spec.body };
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: spec.body };
}

/** The real bodies for each preset, in the shape of the service the request went to. */
export function presetResponse(preset: FaultPreset, req: FakeRequest, retryAfter?: number): FakeResponse {
  const retry = (fallback?: number): Record<string, string> => {
    const seconds = retryAfter ?? fallback;
    return seconds === undefined ? {} : { 'retry-after': String(seconds) };
  };
  const form = req.service === 'identity' ? new URLSearchParams(req.body) : new URLSearchParams();
  const clientId = form.get('client_id') ?? 'unknown';
  const tenant = req.segments[0] ?? 'unknown';
  switch (preset) {
    case 'throttle': {
      const headers = retry(1);
      if (req.service === 'graph') return graphError(429, 'TooManyRequests', 'Please retry again later.', req, headers);
      if (req.service === 'defender') {
        return mdeError(
          429,
          'TooManyRequests',
          `API calls quota exceeded. Please try again in ${headers['retry-after']} seconds.`,
          headers,
        );
      }
      if (req.service === 'msi') return msiError(429, 'too_many_requests', 'Too many requests.', headers);
      return aadsts.throttled(req, headers);
    }
    case 'invalidSecret':
      return aadsts.invalidSecret(clientId, req);
    case 'expiredSecret':
      return aadsts.expiredSecret(clientId, req);
    case 'unknownTenant':
      return aadsts.unknownTenant(tenant, req);
    case 'unknownApp':
      return aadsts.unknownApp(clientId, tenant, req);
    case 'forbidden':
      if (req.service === 'graph') return graphErrors.forbidden(req);
      if (req.service === 'defender') return defenderErrors.forbidden(req);
      if (req.service === 'msi')
        return msiError(403, 'access_denied', 'The identity is not allowed to request this token.');
      return aadsts.appDisabled(clientId, req);
    case 'notFound': {
      const id = req.segments[req.segments.length - 1] ?? '';
      if (req.service === 'graph') {
        return graphError(
          404,
          'Request_ResourceNotFound',
          `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
          req,
        );
      }
      if (req.service === 'defender') return mdeError(404, 'ResourceNotFound', `Resource ${id} was not found`);
      return serviceError(req.service, 404, req);
    }
    case 'serverError':
      return serviceError(req.service, 500, req);
    case 'unavailable':
      return serviceError(req.service, 503, req, retry());
    case 'resetConnection':
      return { status: 0, reset: true };
  }
}
