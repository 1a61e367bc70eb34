import { describe, expect, it } from 'vitest';
import { ActionCatalogue } from './action-catalogue.js';
import { BUILT_IN_ACTIONS } from './built-in-actions.js';
import type { ActionDefinition } from './action-definition.js';

const actions = BUILT_IN_ACTIONS as unknown as ActionDefinition[];

describe('the built-in actions', () => {
  it('compile (schemas valid under strict Ajv) and have unique ids', () => {
    const catalogue = new ActionCatalogue();
    expect(catalogue.list().map((a) => a.id)).toEqual(actions.map((a) => a.id));
  });

  it('can all be reconciled after a crash when they change something', () => {
    for (const action of actions.filter((a) => a.destructive)) expect(typeof action.reconcile, action.id).toBe('function');
  });

  it('name inverses that exist, undo each other where both ways are listed, and can build their input', () => {
    const ids = new Set(actions.map((a) => a.id));
    for (const action of actions.filter((a) => a.inverse)) {
      expect(ids.has(action.inverse!), `${action.id} → ${action.inverse}`).toBe(true);
      expect(typeof action.inverseInput, action.id).toBe('function');
    }
  });
});
