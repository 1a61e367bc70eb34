import Type, { type Static } from 'typebox';
import type { RequiredRole } from '../action-definition.js';

export const UserInput = Type.Object(
  { user: Type.String({ minLength: 1, maxLength: 1024, description: 'A user principal name (adele.vance@contoso.com) or an Entra ID object id.' }) },
  { additionalProperties: false },
);
export type UserInput = Static<typeof UserInput>;

// docs/AZURE.md#graph-user-permissions: least-privileged roles first, higher ones accepted instead.
export const READ_USERS: RequiredRole = { resource: 'graph', role: 'User.Read.All', satisfiedBy: ['User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'] };
export const ENABLE_DISABLE_USERS: RequiredRole = { resource: 'graph', role: 'User.EnableDisableAccount.All', satisfiedBy: ['User.ReadWrite.All', 'Directory.ReadWrite.All'] };
export const REVOKE_SESSIONS: RequiredRole = { resource: 'graph', role: 'User.RevokeSessions.All', satisfiedBy: ['User.ReadWrite.All', 'Directory.ReadWrite.All'] };
