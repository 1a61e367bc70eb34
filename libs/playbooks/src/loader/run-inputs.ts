import { type FieldError, ValidationError } from '@riposte/errors';
import type { PlaybookDefinition } from '../definition.js';
import { fitsType } from './semantic-checks.js';

/** A run's inputs checked against the playbook's declarations, defaults filled in. */
export function checkRunInputs(
  definition: PlaybookDefinition,
  given: Record<string, unknown>,
): Record<string, unknown> {
  const errors: FieldError[] = [];
  const inputs: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    if (!(name in definition.inputs))
      errors.push({
        path: `/inputs/${name}`,
        message: `is not an input of ${definition.id} (it takes ${Object.keys(definition.inputs).join(', ') || 'none'})`,
      });
  }
  for (const [name, declared] of Object.entries(definition.inputs)) {
    const value = given[name] ?? declared.default;
    if (value === undefined) {
      if (declared.required !== false) errors.push({ path: `/inputs/${name}`, message: 'is required' });
      continue;
    }
    if (!fitsType(value, declared.type))
      errors.push({
        path: `/inputs/${name}`,
        message: `must be ${declared.type === 'array' || declared.type === 'object' ? 'an' : 'a'} ${declared.type}`,
      });
    else if (declared.enum && !declared.enum.some((v) => JSON.stringify(v) === JSON.stringify(value)))
      errors.push({
        path: `/inputs/${name}`,
        message: `must be one of: ${declared.enum.map((v) => JSON.stringify(v)).join(', ')}`,
      });
    else if (
      declared.type === 'array' &&
      declared.items &&
      !(value as unknown[]).every((v) => fitsType(v, declared.items!.type))
    )
      errors.push({ path: `/inputs/${name}`, message: `must be a list of ${declared.items.type}s` });
    inputs[name] = value;
  }
  if (errors.length) throw new ValidationError(`The inputs do not fit playbook ${definition.id}.`, errors);
  return inputs;
}
