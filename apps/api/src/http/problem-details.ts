import { HttpException } from '@nestjs/common';
import { AzureError } from '@riposte/azure';
import { type ErrorKind, RiposteError, type FieldError } from '@riposte/errors';
import { redactor } from '@riposte/observability';
import { Database } from '@riposte/persistence';

/** RFC 9457 problem details, as every error leaves this service. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
  requestId?: string;
}

const STATUS: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  unavailable: 503,
};

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
};

// Fastify's own errors, in words a caller can act on.
const FASTIFY: Record<string, [number, string, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'The request body is larger than this endpoint accepts.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    415,
    'unsupported_media_type',
    'Send JSON (Content-Type: application/json), or YAML where the endpoint takes a playbook.',
  ],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json', 'The body is empty but Content-Type says JSON.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'invalid_json', 'The body is not valid JSON.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request', 'Content-Length does not match the body.'],
};

export function toProblem(exception: unknown, requestId: string | undefined): ProblemDetails {
  const base = (status: number, code: string, detail: string, errors?: FieldError[]): ProblemDetails => ({
    type: `urn:riposte:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail: redactor.scrub(detail),
    code,
    ...(errors?.length ? { errors: redactor.redact(errors) } : {}),
    ...(requestId ? { requestId } : {}),
  });

  if (exception instanceof RiposteError)
    return base(STATUS[exception.kind], exception.code, exception.message, exception.errors);
  if (exception instanceof AzureError) return base(502, exception.code, exception.message);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 415)
      return base(
        415,
        'unsupported_media_type',
        'Send JSON (Content-Type: application/json), or YAML (application/yaml) where the endpoint takes a playbook.',
      );
    const response = exception.getResponse();
    const message =
      typeof response === 'object' && response && 'message' in response
        ? (response as { message: unknown }).message
        : exception.message;
    return base(
      status,
      status === 404 ? 'not_found' : `http_${status}`,
      Array.isArray(message) ? message.join('; ') : String(message),
    );
  }
  const fastify = exception as { code?: string; statusCode?: number; message?: string };
  if (typeof fastify?.code === 'string' && fastify.code in FASTIFY) {
    const [status, code, detail] = FASTIFY[fastify.code] as [number, string, string];
    // JSON syntax errors say where: keep that part of the message.
    const where =
      fastify.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/.test(fastify.message ?? '')
        ? ` ${fastify.message ?? ''}`.replace(
            /^ Body is not valid JSON but content-type is set to 'application\/json'/,
            '',
          )
        : '';
    return base(status, code, `${detail}${where}`.trim());
  }
  // A check-then-insert that lost a race with a concurrent request (transactions run side by
  // side on PostgreSQL): the same answer as the check would have given a moment later.
  if (Database.isUniqueViolation(exception))
    return base(
      409,
      'conflict',
      'Another request created the same thing at the same time; read it again before retrying.',
    );
  // Text PostgreSQL cannot store (a NUL that came through YAML escapes, say): refused, as on the way in.
  if (databaseCode(exception) === '22021')
    return base(
      400,
      'validation_failed',
      'Text may not contain the NUL character (U+0000) or bytes that are not UTF-8.',
    );
  if (exception instanceof SyntaxError)
    return base(400, 'invalid_json', `The body is not valid JSON: ${exception.message}`);
  if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return base(fastify.statusCode, `http_${fastify.statusCode}`, fastify.message ?? 'The request was not accepted.');
  }
  return base(500, 'internal_error', 'Something went wrong on our side. The error is logged with this request id.');
}

function databaseCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}
