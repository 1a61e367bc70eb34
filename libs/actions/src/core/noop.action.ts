import Type, { type Static } from 'typebox';
import type { ActionDefinition } from '../action-definition.js';

const NoopInput = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);
type NoopInput = Static<typeof NoopInput>;

/** Does nothing and returns its input: a placeholder while writing a playbook, and the engine's own cost in benchmarks. */
export const noop: ActionDefinition<NoopInput, { note: string | null }> = {
  id: 'core.noop',
  title: 'Do nothing',
  description: 'Succeeds at once without calling anything; returns its note. Needs no connection target.',
  inputSchema: NoopInput,
  requiredRoles: [],
  inverse: null,
  destructive: false,
  ledger: false,
  needsConnection: false,
  entity: () => 'none',
  async plan() {
    return [];
  },
  async execute(input) {
    return { note: input.note ?? null };
  },
};
