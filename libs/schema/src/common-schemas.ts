import Type from 'typebox';

export const SLUG_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';
export const GUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** Messages for our own patterns: Ajv's default ("must match pattern …") tells a user nothing. */
export const PATTERN_MESSAGES: Record<string, string> = {
  [SLUG_PATTERN]:
    'must be a slug: lowercase letters, digits and dashes, starting with a letter or digit, at most 63 characters',
  [GUID_PATTERN]: 'must be a GUID such as 00000000-0000-0000-0000-000000000000',
  '^https://': 'must be an https:// URL',
};

export const Slug = (options: { description?: string } = {}) => Type.String({ pattern: SLUG_PATTERN, ...options });
export const Guid = (options: { description?: string } = {}) => Type.String({ pattern: GUID_PATTERN, ...options });
export const HttpsUrl = (options: { description?: string } = {}) =>
  Type.String({ pattern: '^https://', maxLength: 2048, ...options });
export const IsoDateTime = (options: { description?: string } = {}) => Type.String({ format: 'date-time', ...options });
