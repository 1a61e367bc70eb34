import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { PATTERN_MESSAGES } from './common-schemas.js';

export type Validator<T> = ValidateFunction<T>;
export interface SchemaError {
  /** JSON pointer to the offending value, e.g. `/auth/clientSecret`. */
  path: string;
  message: string;
}

type Variant = Pick<Options, 'coerceTypes' | 'useDefaults' | 'removeAdditional'> & { draft?: '2020-12' };
const instances = new Map<string, Ajv>();

function ajvFor(variant: Variant): Ajv {
  const key = JSON.stringify(variant);
  let ajv = instances.get(key);
  if (!ajv) {
    const { draft, ...options } = variant;
    const settings = { strict: true, allErrors: true, discriminator: true, allowUnionTypes: true, ...options };
    ajv = draft === '2020-12' ? new Ajv2020(settings) : new Ajv(settings);
    // ajv-formats is CommonJS: under ESM its function is the module's `default` property.
    addFormats.default(ajv);
    // RFC 3339 allows a leap second (23:59:60), which Date cannot read: every date-time we accept must be one we can use.
    const rfc3339 = ajv.formats['date-time'] as { validate: (value: string) => boolean };
    ajv.addFormat('date-time', {
      ...rfc3339,
      type: 'string',
      validate: (value: string) => rfc3339.validate(value) && !Number.isNaN(Date.parse(value)),
    });
    instances.set(key, ajv);
  }
  return ajv;
}

/**
 * A validator for a schema (call at module load or construction time, never per request). The
 * schema is compiled on the validator's first call, once: compiling the hundred-odd schemas of the
 * service up front was a tenth of its start-up time, and most are never used by a given process.
 * Callers read `errors` after a call, as with Ajv's own functions.
 */
export function compileSchema<T>(schema: object, variant: Variant = {}): Validator<T> {
  let compiled: ValidateFunction<T> | undefined;
  const validate = ((data: unknown, context?: Parameters<ValidateFunction<T>>[1]) => {
    compiled ??= ajvFor(variant).compile<T>(schema);
    const valid = compiled(data, context);
    validate.errors = compiled.errors;
    return valid;
  }) as Validator<T>;
  validate.schema = schema;
  return validate;
}

/** Turns Ajv's errors into one plain sentence per problem, each with the JSON pointer it is about. */
export function formatSchemaErrors(errors: ErrorObject[] | null | undefined): SchemaError[] {
  if (!errors?.length) return [];
  const specific = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && e.keyword !== 'if');
  const chosen = specific.length ? specific : errors;
  const seen = new Set<string>();
  const out: SchemaError[] = [];
  for (const error of chosen) {
    const formatted = formatOne(error);
    const key = `${formatted.path}\u0000${formatted.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(formatted);
    }
  }
  return out;
}

function formatOne(e: ErrorObject): SchemaError {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: `${e.instancePath}/${String(params.missingProperty)}`, message: 'is required' };
    case 'additionalProperties':
      return { path: `${e.instancePath}/${String(params.additionalProperty)}`, message: 'is not a known field' };
    case 'unevaluatedProperties':
      return { path: `${e.instancePath}/${String(params.unevaluatedProperty)}`, message: 'is not a known field' };
    case 'enum':
      return {
        path: e.instancePath,
        message: `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    case 'const':
      return { path: e.instancePath, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'pattern':
      return {
        path: e.instancePath,
        message: PATTERN_MESSAGES[String(params.pattern)] ?? `must match the pattern ${String(params.pattern)}`,
      };
    case 'format':
      return { path: e.instancePath, message: `must be a valid ${String(params.format)}` };
    case 'discriminator':
      return { path: `${e.instancePath}/${String(params.tag)}`, message: e.message ?? 'has an unknown value' };
    default:
      return { path: e.instancePath, message: e.message ?? 'is invalid' };
  }
}
