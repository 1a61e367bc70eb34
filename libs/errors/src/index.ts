export { RiposteError, NotFoundError, ValidationError, ConflictError, type ErrorKind, type FieldError } from './riposte-error.js';
