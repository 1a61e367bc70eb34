import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { compileSchema, formatSchemaErrors } from './ajv.js';
import { Guid, Slug } from './common-schemas.js';

describe('formatSchemaErrors', () => {
  const validate = compileSchema(
    Type.Object(
      { name: Slug(), tenantId: Guid(), cloud: Type.Enum(['public', 'custom']) },
      { additionalProperties: false },
    ),
  );

  it('names each field with a sentence that says how to fix it', () => {
    expect(validate({ name: 'Bad Name', tenantId: 'nope', cloud: 'mars', extra: 1 })).toBe(false);
    expect(formatSchemaErrors(validate.errors)).toEqual(
      expect.arrayContaining([
        { path: '/extra', message: 'is not a known field' },
        { path: '/name', message: expect.stringMatching(/lowercase letters/) },
        { path: '/tenantId', message: expect.stringMatching(/GUID/) },
        { path: '/cloud', message: 'must be one of: public, custom' },
      ]),
    );
  });

  it('reports missing fields at their own path', () => {
    expect(validate({})).toBe(false);
    expect(
      formatSchemaErrors(validate.errors)
        .map((e) => e.path)
        .sort(),
    ).toEqual(['/cloud', '/name', '/tenantId']);
  });
});

describe('compileSchema', () => {
  it('compiles on first use, and a schema strict Ajv refuses fails there', () => {
    const validate = compileSchema({ type: 'object', properties: { a: { type: 'string', minimum: 1 } } });
    expect(() => validate({ a: 'x' })).toThrow(/strict mode/);
  });

  it('keeps the errors of the last call only', () => {
    const validate = compileSchema<number>({ type: 'integer' });
    expect(validate('x')).toBe(false);
    expect(validate.errors).toHaveLength(1);
    expect(validate(1)).toBe(true);
    expect(validate.errors).toBeNull();
  });
});

describe('date-time', () => {
  it('accepts only the RFC 3339 times Date can read (no leap second)', () => {
    const validate = compileSchema<string>({ type: 'string', format: 'date-time' });
    expect(validate('2024-01-01T23:59:59Z')).toBe(true);
    expect(validate('2024-01-01T23:59:60Z')).toBe(false);
    expect(validate('yesterday')).toBe(false);
  });
});
