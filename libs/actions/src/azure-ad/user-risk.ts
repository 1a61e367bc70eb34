import { AzureError } from '@riposte/azure';
import type { ActionContext, ActionDefinition } from '../action-definition.js';
import { READ_USERS, UserInput, WRITE_RISK } from './user-input.js';

export interface UserRiskOutput {
  user: string;
  userId: string;
  riskState: 'confirmedCompromised' | 'dismissed';
}

type Verb = 'confirmCompromised' | 'dismiss';

/**
 * Identity Protection: `POST /identityProtection/riskyUsers/confirmCompromised` (risk set to high,
 * so risk-based Conditional Access acts on it) and `…/dismiss` (risk cleared). Both take object
 * ids only, so the user is looked up first. Each is the other's inverse.
 */
export function userRiskAction(verb: Verb): ActionDefinition<UserInput, UserRiskOutput> {
  const confirm = verb === 'confirmCompromised';
  const state = confirm ? 'confirmedCompromised' : 'dismissed';
  const request = (userId: string) => ({
    method: 'POST' as const,
    path: `/identityProtection/riskyUsers/${verb}`,
    body: { userIds: [userId] },
    idempotent: true,
    notFound: 'user_not_found' as const,
    what: `user ${userId}`,
  });
  const userId = async (input: UserInput, { graph, target, signal }: ActionContext) =>
    (await graph.getUser(target, input.user, ['id'], signal)).id;

  return {
    id: confirm ? 'azure_ad.confirm_compromised' : 'azure_ad.dismiss_user_risk',
    title: confirm ? 'Confirm an Entra ID user compromised' : "Dismiss an Entra ID user's risk",
    description: confirm
      ? 'Marks the user confirmed compromised in Identity Protection (risk level high): risk-based Conditional Access policies then apply. POST /identityProtection/riskyUsers/confirmCompromised.'
      : "Dismisses the user's risk in Identity Protection (risk level none). POST /identityProtection/riskyUsers/dismiss.",
    inputSchema: UserInput,
    requiredRoles: [WRITE_RISK, READ_USERS],
    inverse: confirm ? 'azure_ad.dismiss_user_risk' : 'azure_ad.confirm_compromised',
    destructive: true,
    ledger: true,
    entity: (input) => `user:${input.user.toLowerCase()}`,
    async plan(input, context) {
      return [context.graph.describe(context.target, request(await userId(input, context)))];
    },
    async execute(input, context) {
      const id = await userId(input, context);
      await context.graph.send(context.target, request(id), context.signal);
      return { user: input.user, userId: id, riskState: state };
    },
    async reconcile(input, context) {
      const id = await userId(input, context);
      try {
        const risky = (
          await context.graph.send<{ riskState?: string }>(
            context.target,
            { method: 'GET', path: `/identityProtection/riskyUsers/${id}`, idempotent: true, notFound: 'not_found' },
            context.signal,
          )
        ).data;
        return risky.riskState === state
          ? { state: 'applied', output: { user: input.user, userId: id, riskState: state } }
          : { state: 'not_applied' };
      } catch (error) {
        // Never risky: nothing was confirmed or dismissed yet.
        if (error instanceof AzureError && error.code === 'not_found') return { state: 'not_applied' };
        throw error;
      }
    },
    inverseInput: (_input, output) => ({ user: output.userId }),
  };
}
