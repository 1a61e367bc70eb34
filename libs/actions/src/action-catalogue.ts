import { Injectable } from '@nestjs/common';
import { NotFoundError, type FieldError } from '@riposte/errors';
import { compileSchema, formatSchemaErrors, type Validator } from '@riposte/schema';
import type { ActionDefinition, ActionView } from './action-definition.js';
import { BUILT_IN_ACTIONS } from './built-in-actions.js';

/** The one registry of actions: playbooks, simple responses and the API all look them up here. */
@Injectable()
export class ActionCatalogue {
  private readonly actions = new Map<string, ActionDefinition>();
  private readonly validators = new Map<string, Validator<unknown>>();

  constructor() {
    for (const action of BUILT_IN_ACTIONS) this.register(action as unknown as ActionDefinition);
  }

  register(action: ActionDefinition): void {
    if (this.actions.has(action.id)) throw new Error(`Action ${action.id} is registered twice.`);
    if (action.destructive && !action.ledger)
      throw new Error(`Action ${action.id} is destructive, so it must go through the effect ledger (ledger: true).`);
    if (action.ledger && !action.reconcile)
      throw new Error(`Action ${action.id} goes through the effect ledger, so it needs reconcile().`);
    this.actions.set(action.id, action);
    this.validators.set(action.id, compileSchema(action.inputSchema, { useDefaults: true }));
  }

  has(id: string): boolean {
    return this.actions.has(id);
  }

  get(id: string): ActionDefinition {
    const action = this.actions.get(id);
    if (!action) throw new NotFoundError('Action', id);
    return action;
  }

  /** The narrow view the playbook language needs. */
  asLookup(): { ids(): string[]; get(id: string): ActionDefinition | undefined } {
    return { ids: () => [...this.actions.keys()], get: (id) => this.actions.get(id) };
  }

  list(): ActionView[] {
    return [...this.actions.values()].map(
      ({
        id,
        title,
        description,
        inputSchema,
        requiredRoles,
        requiredAzureOperations,
        inverse,
        destructive,
        ledger,
      }) => ({
        id,
        title,
        description,
        inputSchema,
        requiredRoles,
        ...(requiredAzureOperations ? { requiredAzureOperations } : {}),
        inverse,
        destructive,
        ledger,
      }),
    );
  }

  /** Checks an input against the action's schema; on success returns it with defaults filled in. */
  validateInput(
    id: string,
    input: unknown,
  ): { ok: true; input: Record<string, unknown> } | { ok: false; errors: FieldError[] } {
    const validate = this.validators.get(id);
    if (!validate) throw new NotFoundError('Action', id);
    const copy: unknown = structuredClone(input ?? {});
    return validate(copy)
      ? { ok: true, input: copy as Record<string, unknown> }
      : { ok: false, errors: formatSchemaErrors(validate.errors) };
  }
}
