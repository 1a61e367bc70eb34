import { Body, type PipeTransform, Query } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import type { Static, TObject, TSchema } from 'typebox';
import { ValidationError } from '@riposte/errors';
import { compileSchema, formatSchemaErrors, type Validator } from '@riposte/schema';

class SchemaPipe<T> implements PipeTransform<unknown, T> {
  private readonly validate: Validator<T>;

  constructor(
    schema: TSchema,
    private readonly where: 'body' | 'query',
    coerce: boolean,
  ) {
    this.validate = compileSchema<T>(schema, { coerceTypes: coerce, useDefaults: true });
  }

  transform(value: unknown): T {
    const input = value ?? {};
    if (typeof input !== 'object' || Array.isArray(input)) {
      throw new ValidationError(`The ${this.where} must be a JSON object.`, [
        { path: '', message: 'must be an object' },
      ]);
    }
    const copy = { ...(input as object) };
    if (!this.validate(copy)) {
      const errors = formatSchemaErrors(this.validate.errors);
      throw new ValidationError(
        `The request ${this.where} is invalid: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}.`,
        this.where === 'query' ? errors.map((e) => ({ ...e, path: e.path.replace(/^\//, '') })) : errors,
      );
    }
    return copy as T;
  }
}

/**
 * The JSON body, checked against a JSON Schema, which also documents it in OpenAPI. `optional`:
 * the request may come without a body (read as `{}`), and the document says so.
 */
export const SchemaBody =
  <S extends TSchema>(schema: S, options: { optional?: boolean } = {}): ParameterDecorator =>
  (target, key, index) => {
    Body(new SchemaPipe<Static<S>>(schema, 'body', false))(target, key, index);
    const descriptor = key !== undefined ? Object.getOwnPropertyDescriptor(target, key) : undefined;
    if (descriptor && key !== undefined)
      ApiBody({ schema: schema as never, ...(options.optional ? { required: false } : {}) })(target, key, descriptor);
  };

/** Query parameters, coerced from strings and checked against a schema, which also documents them in OpenAPI. */
export const SchemaQuery =
  <S extends TObject>(schema: S): ParameterDecorator =>
  (target, key, index) => {
    Query(new SchemaPipe<Static<S>>(schema, 'query', true))(target, key, index);
    const descriptor = key !== undefined ? Object.getOwnPropertyDescriptor(target, key) : undefined;
    if (!descriptor || key === undefined) return;
    for (const [name, property] of Object.entries(schema.properties)) {
      ApiQuery({
        name,
        required: (schema.required ?? []).includes(name) && !('default' in property),
        schema: property as never,
      })(target, key, descriptor);
    }
  };
