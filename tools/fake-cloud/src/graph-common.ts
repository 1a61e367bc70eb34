import { randomUUID } from 'node:crypto';
import { GRAPH_JSON_TYPE, clientRequestId, fail, graphError } from './errors.js';
import { FilterError } from './odata-filter.js';
import type { ServiceErrors } from './router.js';
import type { TokenProblem } from './tokens.js';
import type { FakeRequest, FakeResponse } from './types.js';

/** A Graph success answer with the headers Graph sends. */
export function graphJson(req: FakeRequest, status: number, body?: unknown): FakeResponse {
  const headers: Record<string, string> = {
    'request-id': randomUUID(),
    'client-request-id': clientRequestId(req),
    'odata-version': '4.0',
    'x-ms-resource-unit': '1',
  };
  if (body === undefined) return { status, headers };
  return { status, headers: { ...headers, 'content-type': GRAPH_JSON_TYPE }, body };
}

export function graphNotFound(req: FakeRequest, id: string): never {
  fail(
    graphError(
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
      req,
    ),
  );
}

export function graphBadRequest(req: FakeRequest, message: string, code = 'BadRequest'): never {
  fail(graphError(400, code, message, req));
}

/** Runs a list query, turning OData errors into Graph's 400. */
export function graphQuery<T>(req: FakeRequest, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof FilterError) graphBadRequest(req, `Invalid filter clause: ${error.message}`);
    throw error;
  }
}

const TOKEN_MESSAGES: Record<TokenProblem | 'tenant', string> = {
  missing: 'Access token is empty.',
  malformed: 'IDX14100: JWT is not well formed, there are no dots (.).',
  expired: 'Lifetime validation failed, the token is expired.',
  audience: 'Access token validation failure. Invalid audience.',
  tenant: 'Access token validation failure. The tenant is not known.',
};

export const graphErrors: Required<ServiceErrors> = {
  notFound: (req) => {
    const segment = (req.segments[0]?.toLowerCase() === 'v1.0' ? req.segments[1] : req.segments[0]) ?? '';
    return graphError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`, req);
  },
  methodNotAllowed: (req) =>
    graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.', req),
  internal: (req) => graphError(500, 'generalException', 'General exception while processing.', req),
  unauthorized: (req, problem) =>
    graphError(401, 'InvalidAuthenticationToken', TOKEN_MESSAGES[problem], req, {
      'www-authenticate':
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
    }),
  forbidden: (req) =>
    graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', req),
};

/** Graph addresses entities also by key syntax: `users('a@b.c')`, `directoryRoles(roleTemplateId='…')`. */
export function expandKeySegments(segments: string[]): string[] {
  const out: string[] = [];
  for (const segment of segments) {
    const m = /^([A-Za-z_]+)\((?:([A-Za-z]+)=)?'?(.*?)'?\)$/.exec(segment);
    if (m) {
      const key = m[3]!.replaceAll("''", "'");
      out.push(m[1]!, m[2] ? `${m[2]}=${key}` : key);
    } else {
      out.push(segment);
    }
  }
  return out;
}
