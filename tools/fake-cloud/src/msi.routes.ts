import { msiError } from './errors.js';
import type { ManagedIdentity } from './model.js';
import { json, type RouteContext, type RouteDef, type ServiceErrors } from './router.js';
import type { CloudState } from './state.js';
import type { TokenIssuer } from './token-issuer.js';

const API_VERSION = '2019-08-01';

export const msiErrors: ServiceErrors = {
  notFound: (req) => msiError(404, 'invalid_request', `No managed identity endpoint at ${req.path}.`),
  methodNotAllowed: (req) => msiError(405, 'invalid_request', `${req.method} is not allowed here.`),
  internal: () => msiError(500, 'unknown_error', 'An unexpected error occurred.'),
};

/**
 * The App Service managed identity endpoint (`IDENTITY_ENDPOINT`): `GET /msi/token?api-version=2019-08-01&resource=…`
 * with the `X-IDENTITY-HEADER` secret, answering in the shape msal-node's AppService source reads (`expires_on`).
 */
export function msiRoutes(state: CloudState, issuer: TokenIssuer, identityHeader: string): RouteDef[] {
  const token = (ctx: RouteContext) => {
    const { query, headers } = ctx.req;
    if (headers['x-identity-header'] !== identityHeader) {
      return msiError(401, 'invalid_request', 'The X-IDENTITY-HEADER header is missing or does not match.');
    }
    if (query.get('api-version') !== API_VERSION) {
      return msiError(
        400,
        'invalid_request',
        `Unsupported api-version '${query.get('api-version') ?? ''}'; use ${API_VERSION}.`,
      );
    }
    const requested = query.get('resource');
    if (!requested) return msiError(400, 'invalid_request', "The 'resource' parameter is required.");
    const audience = requested.replace(/\/\.default$/, '');
    const resource = issuer.resourceOf(audience);
    const identity = findIdentity(state, query);
    if (!identity) return msiError(400, 'invalid_request', 'Identity not found.');
    if (!resource) {
      return msiError(
        400,
        'invalid_resource',
        `AADSTS500011: The resource principal named ${requested} was not found in the tenant named ${identity.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
      );
    }
    const issued = issuer.issue(
      {
        tenantId: identity.tenantId,
        appId: identity.clientId,
        objectId: identity.objectId,
        roles: identity.roles[resource] ?? [],
      },
      audience,
    );
    return json(200, {
      access_token: issued.token,
      client_id: identity.clientId,
      expires_in: String(issuer.lifetime),
      expires_on: String(issued.expiresOn),
      ext_expires_in: String(issuer.lifetime),
      not_before: String(issued.claims.nbf),
      resource: audience,
      token_type: 'Bearer',
    });
  };

  return [{ method: 'GET', pattern: '/token', handler: token }];
}

/** A user-assigned identity by client id, object id or resource id; otherwise the system-assigned one. */
function findIdentity(state: CloudState, query: URLSearchParams): ManagedIdentity | undefined {
  const clientId = query.get('client_id')?.toLowerCase();
  const objectId = (query.get('object_id') ?? query.get('principal_id'))?.toLowerCase();
  const resourceId = (query.get('mi_res_id') ?? query.get('msi_res_id'))?.toLowerCase();
  const all = state.allTenants().flatMap((t) => [...t.managedIdentities.values()]);
  if (clientId) return all.find((i) => i.clientId === clientId);
  if (objectId) return all.find((i) => i.objectId.toLowerCase() === objectId);
  if (resourceId) return all.find((i) => i.resourceId.toLowerCase() === resourceId);
  return all.find((i) => i.systemAssigned);
}
