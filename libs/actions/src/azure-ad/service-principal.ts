import Type, { type Static } from 'typebox';
import { AzureError } from '@riposte/azure';
import type { ActionContext, ActionDefinition } from '../action-definition.js';
import { objectId, WRITE_APPS } from './user-input.js';

export const ServicePrincipalInput = Type.Object(
  {
    servicePrincipal: objectId(
      "The service principal's object id, or the application (client) id of the app it stands for.",
    ),
  },
  { additionalProperties: false },
);
export type ServicePrincipalInput = Static<typeof ServicePrincipalInput>;

export interface ServicePrincipalOutput {
  servicePrincipalId: string;
  appId: string;
  displayName: string | null;
  accountEnabled: boolean;
}

interface GraphServicePrincipal {
  id: string;
  appId: string;
  displayName?: string;
  accountEnabled?: boolean;
}

/** By object id, else by app id (`/servicePrincipals(appId='…')`): both are GUIDs, and analysts have either. */
export async function findServicePrincipal(
  input: ServicePrincipalInput,
  { graph, target, signal }: Pick<ActionContext, 'graph' | 'target' | 'signal'>,
): Promise<GraphServicePrincipal> {
  const select = '?$select=id,appId,displayName,accountEnabled';
  try {
    return (
      await graph.send<GraphServicePrincipal>(
        target,
        {
          method: 'GET',
          path: `/servicePrincipals/${input.servicePrincipal}${select}`,
          idempotent: true,
          notFound: 'service_principal_not_found',
        },
        signal,
      )
    ).data;
  } catch (error) {
    if (!(error instanceof AzureError) || error.code !== 'service_principal_not_found') throw error;
    return (
      await graph.send<GraphServicePrincipal>(
        target,
        {
          method: 'GET',
          path: `/servicePrincipals(appId='${input.servicePrincipal}')${select}`,
          idempotent: true,
          notFound: 'service_principal_not_found',
          what: `service principal ${input.servicePrincipal}`,
        },
        signal,
      )
    ).data;
  }
}

/**
 * Switches an enterprise application's service principal off or on (`PATCH /servicePrincipals/{id}`
 * `accountEnabled`): a disabled one gets no tokens, so a malicious OAuth app stops working in the
 * tenant at once. The service's own app is protected by the guardrails.
 */
export function servicePrincipalEnabledAction(
  enabled: boolean,
): ActionDefinition<ServicePrincipalInput, ServicePrincipalOutput> {
  const patch = (id: string) => ({
    method: 'PATCH' as const,
    path: `/servicePrincipals/${id}`,
    body: { accountEnabled: enabled },
    idempotent: true,
    notFound: 'service_principal_not_found' as const,
    what: `service principal ${id}`,
  });
  const output = (sp: GraphServicePrincipal): ServicePrincipalOutput => ({
    servicePrincipalId: sp.id,
    appId: sp.appId,
    displayName: sp.displayName ?? null,
    accountEnabled: enabled,
  });
  return {
    id: enabled ? 'azure_ad.enable_service_principal' : 'azure_ad.disable_service_principal',
    title: enabled ? 'Enable an Entra ID service principal' : 'Disable an Entra ID service principal',
    description: enabled
      ? 'Lets the application sign in to the tenant again (PATCH /servicePrincipals/{id} accountEnabled: true).'
      : 'Stops the application from getting tokens in the tenant, e.g. a malicious OAuth app (PATCH /servicePrincipals/{id} accountEnabled: false). Tokens already issued stay valid until they expire.',
    inputSchema: ServicePrincipalInput,
    requiredRoles: [WRITE_APPS],
    inverse: enabled ? 'azure_ad.disable_service_principal' : 'azure_ad.enable_service_principal',
    destructive: true,
    ledger: true,
    entity: (input) => `servicePrincipal:${input.servicePrincipal.toLowerCase()}`,
    async plan(input, context) {
      return [context.graph.describe(context.target, patch((await findServicePrincipal(input, context)).id))];
    },
    async execute(input, context) {
      const sp = await findServicePrincipal(input, context);
      await context.graph.send(context.target, patch(sp.id), context.signal);
      return output(sp);
    },
    async reconcile(input, context) {
      const sp = await findServicePrincipal(input, context);
      return sp.accountEnabled === enabled ? { state: 'applied', output: output(sp) } : { state: 'not_applied' };
    },
    inverseInput: (_input, out) => ({ servicePrincipal: out.servicePrincipalId }),
  };
}
