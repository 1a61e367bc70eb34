import { userPath } from '@riposte/azure';
import type { ActionDefinition } from '../action-definition.js';
import { ENABLE_DISABLE_USERS, READ_USERS, UserInput } from './user-input.js';

export interface AccountEnabledOutput {
  user: string;
  userId: string | null;
  accountEnabled: boolean;
}

/** Disable and enable are one action with a different value: `PATCH /users/{user}` (204). */
export function setAccountEnabledAction(enabled: boolean): ActionDefinition<UserInput, AccountEnabledOutput> {
  const verb = enabled ? 'Enable' : 'Disable';
  return {
    id: enabled ? 'azure_ad.enable_user' : 'azure_ad.disable_user',
    title: `${verb} Entra ID user`,
    description: enabled
      ? 'Lets the user sign in again (accountEnabled: true).'
      : 'Blocks the user from signing in (accountEnabled: false). Existing sessions stay valid until they expire: pair with azure_ad.revoke_sessions.',
    inputSchema: UserInput,
    requiredRoles: [ENABLE_DISABLE_USERS, READ_USERS],
    inverse: enabled ? 'azure_ad.disable_user' : 'azure_ad.enable_user',
    destructive: true,
    ledger: true,
    entity: (input) => `user:${input.user.toLowerCase()}`,
    async plan(input, { graph, target }) {
      return [graph.describe(target, patch(input.user, enabled))];
    },
    async execute(input, { graph, target, signal }) {
      await graph.send(target, patch(input.user, enabled), signal);
      return { user: input.user, userId: null, accountEnabled: enabled };
    },
    async reconcile(input, { graph, target, signal }) {
      const user = await graph.getUser(target, input.user, ['id', 'accountEnabled'], signal);
      return user.accountEnabled === enabled
        ? { state: 'applied', output: { user: input.user, userId: user.id, accountEnabled: enabled } }
        : { state: 'not_applied' };
    },
    inverseInput: (input) => ({ user: input.user }),
  };
}

function patch(user: string, enabled: boolean) {
  return {
    method: 'PATCH' as const,
    path: userPath(user),
    body: { accountEnabled: enabled },
    idempotent: true,
    notFound: 'user_not_found' as const,
    what: `user ${user}`,
  };
}
