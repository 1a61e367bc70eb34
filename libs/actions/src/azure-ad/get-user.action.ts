import Type, { type Static } from 'typebox';
import { type GraphUser, userPath } from '@riposte/azure';
import type { ActionDefinition } from '../action-definition.js';
import { READ_USERS } from './user-input.js';

const DEFAULT_SELECT = ['id', 'userPrincipalName', 'displayName', 'mail', 'accountEnabled', 'department', 'jobTitle'];

const GetUserInput = Type.Object(
  {
    user: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: 'A user principal name or an Entra ID object id.',
    }),
    select: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,63}$' }), {
        maxItems: 30,
        description: `Properties to read; default ${DEFAULT_SELECT.join(', ')}.`,
      }),
    ),
  },
  { additionalProperties: false },
);
type GetUserInput = Static<typeof GetUserInput>;

export const getUser: ActionDefinition<GetUserInput, GraphUser> = {
  id: 'azure_ad.get_user',
  title: 'Read an Entra ID user',
  description: "Reads a user's properties, e.g. to decide in a playbook whether the account is enabled.",
  inputSchema: GetUserInput,
  requiredRoles: [READ_USERS],
  inverse: null,
  destructive: false,
  ledger: false,
  entity: (input) => `user:${input.user.toLowerCase()}`,
  async plan(input, { graph, target }) {
    return [
      graph.describe(target, {
        method: 'GET',
        path: `${userPath(input.user)}?$select=${(input.select ?? DEFAULT_SELECT).join(',')}`,
        idempotent: true,
      }),
    ];
  },
  async execute(input, { graph, target, signal }) {
    const user = await graph.getUser(target, input.user, input.select ?? DEFAULT_SELECT, signal);
    const { '@odata.context': _context, ...rest } = user as GraphUser & { '@odata.context'?: string };
    return rest;
  },
};
