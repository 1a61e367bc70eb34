import { describe, expect, it } from 'vitest';
import { ActionCatalogue } from './action-catalogue.js';
import { BUILT_IN_ACTIONS } from './built-in-actions.js';
import type { ActionDefinition } from './action-definition.js';

const actions = BUILT_IN_ACTIONS as unknown as ActionDefinition[];

describe('the built-in actions', () => {
  it('compile (schemas valid under strict Ajv) and have unique ids', () => {
    const catalogue = new ActionCatalogue();
    expect(catalogue.list().map((a) => a.id)).toEqual(actions.map((a) => a.id));
    // A schema is compiled on its first use: use each once, so a schema strict Ajv refuses fails here.
    for (const { id } of actions) expect(() => catalogue.validateInput(id, {})).not.toThrow();
  });

  it('go through the effect ledger, with a reconcile, whenever they change something or could be repeated', () => {
    for (const action of actions.filter((a) => a.destructive)) expect(action.ledger, action.id).toBe(true);
    for (const action of actions.filter((a) => a.ledger)) expect(typeof action.reconcile, action.id).toBe('function');
    // A comment POST is not idempotent: ledgered, though not destructive.
    for (const id of ['graph_security.comment_alert', 'graph_security.update_alert'])
      expect(actions.find((a) => a.id === id)).toMatchObject({ ledger: true, destructive: false });
  });

  it('a destructive action outside the ledger, or a ledgered one without reconcile, is refused at registration', () => {
    const noop = actions.find((a) => a.id === 'core.noop')!;
    expect(() => new ActionCatalogue().register({ ...noop, id: 'test.bad', destructive: true, ledger: false })).toThrow(
      /must go through the effect ledger/,
    );
    expect(() => new ActionCatalogue().register({ ...noop, id: 'test.bad', ledger: true })).toThrow(/needs reconcile/);
  });

  it('name inverses that exist, undo each other where both ways are listed, and can build their input', () => {
    const ids = new Set(actions.map((a) => a.id));
    for (const action of actions.filter((a) => a.inverse)) {
      expect(ids.has(action.inverse!), `${action.id} → ${action.inverse}`).toBe(true);
      expect(typeof action.inverseInput, action.id).toBe('function');
    }
  });
});
