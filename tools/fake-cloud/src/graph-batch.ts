import { graphError } from './errors.js';
import { graphBadRequest, graphJson } from './graph-common.js';
import { isPlainObject, parseJsonBody, type AuthedContext, type RouteDef } from './router.js';
import type { FakeRequest, FakeResponse } from './types.js';

export const MAX_BATCH_REQUESTS = 20;

/** How the fake orders `$batch` responses. Graph gives no order guarantee; `reverse` makes order bugs show every time. */
export type BatchOrder = 'reverse' | 'request' | 'shuffle';

interface InnerRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  dependsOn: string[];
}

interface InnerResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** Header names as Graph spells them inside batch responses. */
const HEADER_CASE: Record<string, string> = {
  'content-type': 'Content-Type',
  'retry-after': 'Retry-After',
  'cache-control': 'Cache-Control',
  location: 'Location',
  'odata-version': 'OData-Version',
};

class ResetSignal extends Error {}

/**
 * `POST /graph/v1.0/$batch`: validates the batch as Graph does (outer 400 for a malformed batch), then runs each
 * request through the same pipeline as a wire request, so permissions, faults, latency and recording apply per request.
 */
export function graphBatchRoute(
  dispatch: (req: FakeRequest) => Promise<FakeResponse>,
  order: BatchOrder,
): RouteDef<AuthedContext> {
  const handler = async (ctx: AuthedContext): Promise<FakeResponse> => {
    const requests = validate(ctx.req);
    const done = new Map<string, Promise<InnerResponse>>();
    const finished: InnerResponse[] = [];
    for (const inner of requests) {
      const run = async (): Promise<InnerResponse> => {
        const deps = await Promise.all(inner.dependsOn.map((id) => done.get(id.toLowerCase())!));
        const failed = deps.find((d) => d.status < 200 || d.status >= 300);
        const response = failed
          ? toInner(
              inner.id,
              graphError(424, 'FailedDependency', `The dependent request '${failed.id}' failed.`, ctx.req),
            )
          : await execute(ctx, inner);
        finished.push(response);
        return response;
      };
      done.set(inner.id.toLowerCase(), run());
    }
    try {
      await Promise.all(done.values());
    } catch (error) {
      if (error instanceof ResetSignal) return { status: 0, reset: true };
      throw error;
    }
    return graphJson(ctx.req, 200, { responses: arrange(finished, requests, order) });
  };

  const execute = async (ctx: AuthedContext, inner: InnerRequest): Promise<InnerResponse> => {
    // Relative to the version root: a `/v1.0/...` or absolute URL ends in Graph's own "segment not found" 400.
    const url = inner.url.replace(/^\/+/, '');
    const [pathPart = '', search = ''] = url.split(/\?(.*)/s, 2);
    const segments = ['v1.0', ...pathPart.split('/').filter(Boolean).map(safeDecode)];
    const headers: Record<string, string | undefined> = { authorization: ctx.req.headers.authorization };
    for (const [name, value] of Object.entries(inner.headers)) headers[name.toLowerCase()] = value;
    const response = await dispatch({
      service: 'graph',
      method: inner.method,
      path: `/graph/${segments.join('/')}`,
      segments,
      query: new URLSearchParams(search),
      headers,
      body: inner.body === undefined ? '' : typeof inner.body === 'string' ? inner.body : JSON.stringify(inner.body),
      batched: true,
    });
    if (response.reset) throw new ResetSignal();
    return toInner(inner.id, response);
  };

  return { method: 'POST', pattern: '/v1.0/$batch', handler };
}

function validate(req: FakeRequest): InnerRequest[] {
  const body = parseJsonBody(req);
  if (!isPlainObject(body) || !Array.isArray(body.requests) || body.requests.length === 0) {
    graphBadRequest(req, 'Invalid batch payload format.');
  }
  if (body.requests.length > MAX_BATCH_REQUESTS) {
    graphBadRequest(
      req,
      `The number of requests in the batch (${body.requests.length}) exceeds the limit of ${MAX_BATCH_REQUESTS}.`,
    );
  }
  const seen = new Set<string>();
  return body.requests.map((raw: unknown, index: number) => {
    if (
      !isPlainObject(raw) ||
      typeof raw.id !== 'string' ||
      !raw.id ||
      typeof raw.url !== 'string' ||
      typeof raw.method !== 'string'
    ) {
      graphBadRequest(req, `Invalid batch payload format: request ${index} needs a string id, method and url.`);
    }
    const id = raw.id;
    if (seen.has(id.toLowerCase())) graphBadRequest(req, `Batch request contains duplicate id '${id}'.`);
    const headers = isPlainObject(raw.headers) ? (raw.headers as Record<string, string>) : {};
    if (raw.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      graphBadRequest(req, `Write request id : ${id} does not contain Content-Type header or body.`);
    }
    const dependsOn = Array.isArray(raw.dependsOn) ? raw.dependsOn : [];
    for (const dep of dependsOn) {
      if (typeof dep !== 'string' || !seen.has(dep.toLowerCase())) {
        graphBadRequest(
          req,
          `Request '${id}' depends on '${String(dep)}', which is not an earlier request of this batch.`,
        );
      }
    }
    seen.add(id.toLowerCase());
    return {
      id,
      method: raw.method.toUpperCase(),
      url: raw.url,
      headers,
      body: raw.body,
      dependsOn: dependsOn as string[],
    };
  });
}

function toInner(id: string, response: FakeResponse): InnerResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    const canonical = HEADER_CASE[name.toLowerCase()];
    if (canonical) headers[canonical] = value;
  }
  const body = response.text ?? response.body;
  return { id, status: response.status, headers, ...(body === undefined ? {} : { body }) };
}

function arrange(finished: InnerResponse[], requests: InnerRequest[], order: BatchOrder): InnerResponse[] {
  if (order === 'request') {
    const rank = new Map(requests.map((r, i) => [r.id, i]));
    return [...finished].sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
  }
  if (order === 'shuffle') {
    const out = [...finished];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
  return [...finished].reverse();
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
