import { userPath } from '@riposte/azure';
import type { ActionDefinition } from '../action-definition.js';
import { READ_USERS, REVOKE_SESSIONS, UserInput } from './user-input.js';

export interface RevokeSessionsOutput {
  user: string;
  revoked: true;
}

export const revokeSessions: ActionDefinition<UserInput, RevokeSessionsOutput> = {
  id: 'azure_ad.revoke_sessions',
  title: 'Revoke Entra ID sign-in sessions',
  description:
    "Invalidates the user's refresh tokens and session cookies (POST /users/{user}/revokeSignInSessions). Access tokens already issued stay valid until they expire (about an hour).",
  inputSchema: UserInput,
  requiredRoles: [REVOKE_SESSIONS, READ_USERS],
  inverse: null,
  destructive: true,
  ledger: true,
  entity: (input) => `user:${input.user.toLowerCase()}`,
  async plan(input, { graph, target }) {
    return [graph.describe(target, request(input.user))];
  },
  async execute(input, { graph, target, signal }) {
    await graph.send(target, request(input.user), signal);
    return { user: input.user, revoked: true };
  },
  async reconcile(input, { graph, target, signal, intendedAt }) {
    const user = await graph.getUser(target, input.user, ['id', 'signInSessionsValidFromDateTime'], signal);
    const validFrom = Date.parse(user.signInSessionsValidFromDateTime ?? '');
    return validFrom >= intendedAt.getTime() - 1000
      ? { state: 'applied', output: { user: input.user, revoked: true } }
      : { state: 'not_applied' };
  },
};

function request(user: string) {
  return {
    method: 'POST' as const,
    path: `${userPath(user)}/revokeSignInSessions`,
    idempotent: true,
    notFound: 'user_not_found' as const,
    what: `user ${user}`,
  };
}
