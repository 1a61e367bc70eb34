/**
 * Errors the domain raises on purpose. Each has a kind (mapped to an HTTP status in exactly
 * one place, the API's problem filter) and a message written for the person who sent the
 * request: what is wrong and, where it helps, how to fix it. Never a secret.
 */
export type ErrorKind =
  | 'validation' // 400
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409
  | 'payload_too_large' // 413
  | 'unsupported_media_type' // 415
  | 'unprocessable' // 422
  | 'too_many_requests' // 429
  | 'unavailable'; // 503

import type { ErrorCode } from './error-codes.js';

export interface FieldError {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

const DEFAULT_CODES: Record<ErrorKind, ErrorCode> = {
  validation: 'validation_failed',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  not_found: 'not_found',
  conflict: 'conflict',
  payload_too_large: 'payload_too_large',
  unsupported_media_type: 'unsupported_media_type',
  unprocessable: 'unprocessable',
  unavailable: 'unavailable',
  too_many_requests: 'too_many_requests',
};

export class RiposteError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly code: ErrorCode = DEFAULT_CODES[kind],
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends RiposteError {
  constructor(message: string, errors: FieldError[] = [], code: ErrorCode = 'validation_failed') {
    super('validation', message, code, errors);
  }
}

export class NotFoundError extends RiposteError {
  constructor(what: string, name: string) {
    super('not_found', `${what} '${name}' does not exist.`, 'not_found');
  }
}

export class ConflictError extends RiposteError {
  constructor(message: string, code: ErrorCode = 'conflict') {
    super('conflict', message, code);
  }
}

/** Too many attempts: the caller may try again after `retryAfterSeconds` (sent as Retry-After). */
export class TooManyRequestsError extends RiposteError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    code: ErrorCode = 'too_many_requests',
  ) {
    super('too_many_requests', message, code);
  }
}

/** Not now, but soon: the caller may try again after `retryAfterSeconds` (sent as Retry-After). */
export class UnavailableError extends RiposteError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    code: ErrorCode = 'unavailable',
  ) {
    super('unavailable', message, code);
  }
}
