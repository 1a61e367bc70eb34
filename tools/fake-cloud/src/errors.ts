import { randomUUID } from 'node:crypto';
import { aadTimestamp, graphErrorDate } from './clock.js';
import type { FakeRequest, FakeResponse, Service } from './types.js';

/** Thrown by a route to answer early with an error response. */
export class ResponseError extends Error {
  constructor(readonly response: FakeResponse) {
    super(`HTTP ${response.status}`);
  }
}

export function fail(response: FakeResponse): never {
  throw new ResponseError(response);
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const GRAPH_JSON_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

type RequestIds = Pick<FakeRequest, 'headers' | 'query'> & { body?: string };

/** The request's `client-request-id` (header, query or form body, where msal and the Graph SDK send it), or a new one. */
export function clientRequestId(req: RequestIds | undefined): string {
  const fromForm = req?.body?.includes('client-request-id=')
    ? new URLSearchParams(req.body).get('client-request-id')
    : null;
  return req?.headers['client-request-id'] ?? req?.query.get('client-request-id') ?? fromForm ?? randomUUID();
}

/** Graph's error body: `{error:{code,message,innerError:{date,request-id,client-request-id}}}`. */
export function graphError(
  status: number,
  code: string,
  message: string,
  req?: FakeRequest,
  headers: Record<string, string> = {},
): FakeResponse {
  const requestId = randomUUID();
  const innerError =
    status === 429
      ? { code: '429', date: graphErrorDate(), message: 'Please retry after', 'request-id': requestId, status: '429' }
      : { date: graphErrorDate(), 'request-id': requestId, 'client-request-id': clientRequestId(req) };
  return {
    status,
    headers: { 'content-type': JSON_TYPE, 'request-id': requestId, ...headers },
    body: { error: { code, message, innerError } },
  };
}

/** Defender for Endpoint's error body: `{error:{code,message,target}}`, `target` being a correlation id. */
export function mdeError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): FakeResponse {
  return {
    status,
    headers: { 'content-type': JSON_TYPE, ...headers },
    body: { error: { code, message, target: randomUUID() } },
  };
}

/**
 * An Entra (AADSTS) token error, exactly as the identity platform shapes it: `error_description` starts with
 * `AADSTSnnnn:` and ends with the trace, correlation and timestamp lines.
 */
export function aadstsError(
  status: number,
  error: string,
  code: number,
  message: string,
  req?: RequestIds,
  headers: Record<string, string> = {},
): FakeResponse {
  const traceId = randomUUID();
  const correlationId = clientRequestId(req);
  const timestamp = aadTimestamp();
  return {
    status,
    headers: {
      'content-type': JSON_TYPE,
      'cache-control': 'no-store, no-cache',
      'x-ms-request-id': traceId,
      ...headers,
    },
    body: {
      error,
      error_description: `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

/** Managed identity endpoint errors (`{error, error_description}`, which msal-node reads). */
export function msiError(
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): FakeResponse {
  return {
    status,
    headers: { 'content-type': JSON_TYPE, ...headers },
    body: { error, error_description: description },
  };
}

/** A generic error in the shape of the given service, for faults and unexpected failures. */
export function serviceError(
  service: Service,
  status: number,
  req?: FakeRequest,
  headers: Record<string, string> = {},
): FakeResponse {
  const text = STATUS_TEXT[status] ?? 'Error';
  switch (service) {
    case 'graph':
      return graphError(status, GRAPH_CODES[status] ?? 'generalException', text, req, headers);
    case 'defender':
      return mdeError(status, MDE_CODES[status] ?? 'InternalServerError', text, headers);
    case 'msi':
      return msiError(status, status >= 500 ? 'service_unavailable' : 'invalid_request', text, headers);
    case 'monitor':
      return {
        status,
        headers: { 'content-type': JSON_TYPE, ...headers },
        body: {
          error: {
            code: status === 503 ? 'ServiceUnavailable' : status === 429 ? 'TooManyRequests' : 'Error',
            message: text,
          },
        },
      };
    case 'management':
      return {
        status,
        headers: { 'content-type': JSON_TYPE, ...headers },
        body: { error: { code: status >= 500 ? 'InternalServerError' : 'BadRequest', message: text } },
      };
    case 'identity':
      return status >= 500
        ? aadstsError(
            status,
            status === 503 ? 'temporarily_unavailable' : 'server_error',
            50000,
            AADSTS50000,
            req,
            headers,
          )
        : aadstsError(status, 'invalid_request', 900561, text, req, headers);
  }
}

export const AADSTS50000 = 'There was an error issuing a token or an issue with our sign-in service.';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request.',
  401: 'Unauthorized.',
  403: 'Insufficient privileges to complete the operation.',
  404: 'The requested resource was not found.',
  409: 'Conflict.',
  429: 'Please retry again later.',
  500: 'An internal server error occurred.',
  502: 'Bad gateway.',
  503: 'The service is temporarily unavailable. Please retry later.',
  504: 'Gateway timeout.',
};

const GRAPH_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'InvalidAuthenticationToken',
  403: 'Authorization_RequestDenied',
  404: 'Request_ResourceNotFound',
  409: 'Request_MultipleObjectsWithSameKeyValue',
  429: 'TooManyRequests',
  500: 'generalException',
  503: 'serviceNotAvailable',
  504: 'UnknownError',
};

const MDE_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'ResourceNotFound',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};
