export {
  RiposteError,
  NotFoundError,
  ValidationError,
  ConflictError,
  TooManyRequestsError,
  UnavailableError,
  type ErrorKind,
  type FieldError,
} from './riposte-error.js';
export { ERROR_CODES, DEFAULT_RETRY_ON, type ErrorCode, type ErrorCodeInfo } from './error-codes.js';
