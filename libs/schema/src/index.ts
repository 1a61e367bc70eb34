export { compileSchema, formatSchemaErrors, type SchemaError, type Validator } from './ajv.js';
export { Guid, Slug, HttpsUrl, IsoDateTime, SLUG_PATTERN, GUID_PATTERN, PATTERN_MESSAGES } from './common-schemas.js';
export { DURATION_PATTERN, parseDuration } from './duration.js';
