import { randomInt } from 'node:crypto';
import { userPath } from '@riposte/azure';
import { REDACTED } from '@riposte/observability';
import type { ActionDefinition } from '../action-definition.js';
import { READ_USERS, RESET_PASSWORDS, UserInput } from './user-input.js';

export interface ResetPasswordOutput {
  user: string;
  passwordReset: true;
  forceChangePasswordNextSignIn: true;
}

const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
const SYMBOLS = '!@#$%^&*-_=+?';

/**
 * 24 characters from a CSPRNG, at least one of each class (Entra's complexity rule wants three).
 * Nobody ever needs it: the user must change it at next sign-in, through self-service or a helpdesk.
 */
export function generatePassword(): string {
  const all = UPPER + LOWER + DIGITS + SYMBOLS;
  const pick = (set: string) => set[randomInt(set.length)]!;
  const chars = [pick(UPPER), pick(LOWER), pick(DIGITS), pick(SYMBOLS), ...Array.from({ length: 20 }, () => pick(all))];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/**
 * `PATCH /users/{user}` with a new random password and change-at-next-sign-in. The password lives
 * only in the request body: never in the plan, the output, the ledger, the audit or a log line.
 */
export const resetPassword: ActionDefinition<UserInput, ResetPasswordOutput> = {
  id: 'azure_ad.reset_password',
  title: "Reset an Entra ID user's password",
  description:
    "Sets a random password nobody sees and forces a change at next sign-in (PATCH /users/{user} passwordProfile). Existing sessions stay valid: pair with azure_ad.revoke_sessions. Apps also need an Entra role allowed to reset this user's password (e.g. User Administrator), else Graph answers 403.",
  inputSchema: UserInput,
  requiredRoles: [RESET_PASSWORDS, READ_USERS],
  inverse: null,
  destructive: true,
  ledger: true,
  entity: (input) => `user:${input.user.toLowerCase()}`,
  async plan(input, { graph, target }) {
    return [graph.describe(target, request(input.user, REDACTED))];
  },
  async execute(input, { graph, target, signal }) {
    await graph.send(target, request(input.user, generatePassword()), signal);
    return { user: input.user, passwordReset: true, forceChangePasswordNextSignIn: true };
  },
  async reconcile(input, { graph, target, signal, intendedAt }) {
    // Entra stamps lastPasswordChangeDateTime to the second: a change at or after the intent is ours.
    const user = await graph.getUser(target, input.user, ['id', 'lastPasswordChangeDateTime'], signal);
    const changed = Date.parse((user as { lastPasswordChangeDateTime?: string }).lastPasswordChangeDateTime ?? '');
    return changed >= intendedAt.getTime() - 1000
      ? { state: 'applied', output: { user: input.user, passwordReset: true, forceChangePasswordNextSignIn: true } }
      : { state: 'not_applied' };
  },
};

function request(user: string, password: string) {
  // Not idempotent for retries: a second reset after a lost answer would be harmless, but the ledger decides, not the HTTP layer.
  return {
    method: 'PATCH' as const,
    path: userPath(user),
    body: { passwordProfile: { forceChangePasswordNextSignIn: true, password } },
    idempotent: false,
    notFound: 'user_not_found' as const,
    what: `user ${user}`,
  };
}
