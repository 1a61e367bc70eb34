export { RiposteError, NotFoundError, ValidationError, ConflictError, TooManyRequestsError, type ErrorKind, type FieldError } from './riposte-error.js';
