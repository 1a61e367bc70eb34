import Type, { type Static } from 'typebox';
import type { RequiredRole } from '../action-definition.js';

export const UserInput = Type.Object(
  {
    user: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: 'A user principal name (adele.vance@contoso.com) or an Entra ID object id.',
    }),
  },
  { additionalProperties: false },
);
export type UserInput = Static<typeof UserInput>;

// docs/AZURE.md#graph-user-permissions: least-privileged roles first, higher ones accepted instead.
export const READ_USERS: RequiredRole = {
  resource: 'graph',
  role: 'User.Read.All',
  satisfiedBy: ['User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
};
export const ENABLE_DISABLE_USERS: RequiredRole = {
  resource: 'graph',
  role: 'User.EnableDisableAccount.All',
  satisfiedBy: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
};
export const REVOKE_SESSIONS: RequiredRole = {
  resource: 'graph',
  role: 'User.RevokeSessions.All',
  satisfiedBy: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
};
export const RESET_PASSWORDS: RequiredRole = {
  resource: 'graph',
  role: 'User-PasswordProfile.ReadWrite.All',
  satisfiedBy: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
};
export const READ_RISK: RequiredRole = {
  resource: 'graph',
  role: 'IdentityRiskyUser.Read.All',
  satisfiedBy: ['IdentityRiskyUser.ReadWrite.All'],
};
export const WRITE_RISK: RequiredRole = { resource: 'graph', role: 'IdentityRiskyUser.ReadWrite.All' };
export const WRITE_MEMBERS: RequiredRole = {
  resource: 'graph',
  role: 'GroupMember.ReadWrite.All',
  satisfiedBy: ['Group.ReadWrite.All', 'Directory.ReadWrite.All'],
};
export const READ_SIGN_INS: RequiredRole = { resource: 'graph', role: 'AuditLog.Read.All' };
export const READ_APPS: RequiredRole = {
  resource: 'graph',
  role: 'Application.Read.All',
  satisfiedBy: ['Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
};
export const WRITE_APPS: RequiredRole = {
  resource: 'graph',
  role: 'Application.ReadWrite.All',
  satisfiedBy: ['Directory.ReadWrite.All'],
};

export const User = Type.String({
  minLength: 1,
  maxLength: 1024,
  description: 'A user principal name or an Entra ID object id.',
});
export const objectId = (description: string) =>
  Type.String({
    pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
    description,
  });
