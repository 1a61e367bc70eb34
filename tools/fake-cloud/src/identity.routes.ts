import { aadsts } from './aadsts.js';
import { AuthorizationCodeFlow, logoutAnswer } from './authorization-code.js';
import type { DeviceCodeFlow } from './device-code.js';
import { JSON_TYPE } from './errors.js';
import type { AppRegistration } from './model.js';
import { json, type RouteContext, type RouteDef, type ServiceErrors } from './router.js';
import type { CloudState, TenantData } from './state.js';
import type { TokenIssuer } from './token-issuer.js';
import type { UserSignIn } from './user-sign-in.js';
import { decodeJwt, normalizeThumbprint } from './tokens.js';
import type { FakeRequest, FakeResponse } from './types.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const DEVICE_CODE_GRANTS = new Set(['device_code', 'urn:ietf:params:oauth:grant-type:device_code']);
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access']);
/** Clock skew Entra tolerates on client assertions. */
const SKEW_SECONDS = 300;

export const identityErrors: ServiceErrors = {
  notFound: (req) => json(404, { error: 'not_found', error_description: `No identity endpoint at ${req.path}.` }),
  methodNotAllowed: (req) =>
    json(405, { error: 'invalid_request', error_description: `${req.method} is not allowed here.` }),
  internal: (req) => aadsts.serverError(500, req),
};

/**
 * The origin the client used (127.0.0.1 or localhost): msal checks the discovery document's issuer
 * against the authority's host, so the document must name the same one.
 */
function originOf(req: FakeRequest, fallback: string): string {
  const host = req.headers.host;
  const port = new URL(fallback).port;
  return host === `127.0.0.1:${port}` || host === `localhost:${port}` ? `https://${host}` : fallback;
}

function openIdConfiguration(origin: string, tenant: string): Record<string, unknown> {
  const base = `${origin}/${tenant}`;
  const issuerTenant = tenant === 'common' || tenant === 'organizations' ? '{tenantid}' : tenant;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${origin}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/graph/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: [
      'sub',
      'iss',
      'cloud_instance_name',
      'cloud_instance_host_name',
      'cloud_graph_host_name',
      'msgraph_host',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'acr',
      'nonce',
      'preferred_username',
      'name',
      'tid',
      'ver',
      'at_hash',
      'c_hash',
      'email',
    ],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: 'NA',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: `${new URL(origin).host}/graph`,
    rbac_url: 'https://pas.windows.net',
  };
}

/** Entra ID at the origin's root: token endpoint, OpenID discovery, instance discovery, device code, keys. */
export function identityRoutes(
  state: CloudState,
  issuer: TokenIssuer,
  deviceCodes: DeviceCodeFlow,
  userSignIn: UserSignIn,
  authorizationCodes: AuthorizationCodeFlow,
): RouteDef[] {
  const discovery = (ctx: RouteContext) => {
    const name = ctx.params.tenant!.toLowerCase();
    const tenant = name === 'common' || name === 'organizations' ? name : state.tenant(name)?.id;
    if (!tenant) return aadsts.unknownTenant(ctx.params.tenant!, ctx.req);
    return json(200, openIdConfiguration(originOf(ctx.req, issuer.origin), tenant), {
      'cache-control': 'max-age=86400, private',
    });
  };

  const instanceDiscovery = (ctx: RouteContext) => {
    const origin = originOf(ctx.req, issuer.origin);
    const endpoint = ctx.req.query.get('authorization_endpoint');
    let host: string | undefined;
    try {
      host = endpoint ? new URL(endpoint).host : undefined;
    } catch {
      host = undefined;
    }
    const port = new URL(origin).port;
    const aliases = [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!host || !aliases.includes(host)) return aadsts.invalidInstance(ctx.req);
    return json(200, {
      tenant_discovery_endpoint: `https://${host}/{tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases }],
    });
  };

  const token = (ctx: RouteContext) => {
    const tenant = state.tenant(ctx.params.tenant!);
    if (!tenant) return aadsts.unknownTenant(ctx.params.tenant!, ctx.req);
    const form = new URLSearchParams(ctx.req.body);
    const grant = form.get('grant_type');
    if (!grant) return aadsts.missingParameter('grant_type', ctx.req);
    const origin = originOf(ctx.req, issuer.origin);
    if (grant === 'client_credentials') return clientCredentials(ctx.req, tenant, form);
    if (DEVICE_CODE_GRANTS.has(grant)) return deviceCodes.redeem(ctx.req, tenant, form, origin);
    if (grant === 'refresh_token') return deviceCodes.refresh(ctx.req, tenant, form, origin);
    if (grant === 'authorization_code') {
      // A web app proves itself with its secret; a public client (no secret registered) cannot.
      const app = tenant.apps.get((form.get('client_id') ?? '').toLowerCase());
      if (!app) return aadsts.unknownApp(form.get('client_id') ?? '', tenant.displayName, ctx.req);
      const secret = form.get('client_secret') ?? parseBasic(ctx.req.headers.authorization)?.secret;
      // A single-page app is a public client: PKCE is its only proof, and a secret is refused.
      if (AuthorizationCodeFlow.isSpa(app, form.get('redirect_uri')))
        return secret != null
          ? aadsts.publicClientSecret(ctx.req)
          : authorizationCodes.redeem(ctx.req, tenant, form, origin);
      const refused =
        secret != null
          ? checkSecret(ctx.req, app, secret)
          : app.secrets.length
            ? aadsts.missingCredential(ctx.req)
            : undefined;
      return refused ?? authorizationCodes.redeem(ctx.req, tenant, form, origin);
    }
    return aadsts.unsupportedGrant(grant, ctx.req);
  };

  const clientCredentials = (req: FakeRequest, tenant: TenantData, form: URLSearchParams): FakeResponse => {
    const basic = parseBasic(req.headers.authorization);
    const clientId = form.get('client_id') ?? basic?.clientId;
    if (!clientId) return aadsts.missingParameter('client_id', req);
    const app = tenant.apps.get(clientId.toLowerCase());
    if (!app) return aadsts.unknownApp(clientId, tenant.displayName, req);
    const assertion = form.get('client_assertion');
    const secret = form.get('client_secret') ?? basic?.secret;
    const refused =
      assertion !== null
        ? checkAssertion(req, tenant, app, form, assertion)
        : secret != null
          ? checkSecret(req, app, secret)
          : aadsts.missingCredential(req);
    if (refused) return refused;
    const scope = form.get('scope');
    if (!scope) return aadsts.missingParameter('scope', req);
    const scopes = scope.split(' ').filter((s) => s && !OIDC_SCOPES.has(s));
    if (scopes.length !== 1) return aadsts.invalidScope(scope, req);
    const only = scopes[0]!;
    if (!only.endsWith('/.default')) return aadsts.scopeNeedsDefault(only, req);
    const audience = only.slice(0, -'/.default'.length);
    const resource = issuer.resourceOf(audience);
    if (!resource) return aadsts.invalidScope(only, req);
    const issued = issuer.issue(
      { tenantId: tenant.id, appId: app.clientId, objectId: app.servicePrincipalId, roles: app.roles[resource] ?? [] },
      audience,
    );
    return json(
      200,
      {
        token_type: 'Bearer',
        expires_in: issuer.lifetime,
        ext_expires_in: issuer.lifetime,
        access_token: issued.token,
      },
      { 'cache-control': 'no-store, no-cache', pragma: 'no-cache', 'content-type': JSON_TYPE },
    );
  };

  /** Checks a certificate assertion's claims and thumbprint; the signature is not verified (a fake has no need). */
  const checkAssertion = (
    req: FakeRequest,
    tenant: TenantData,
    app: AppRegistration,
    form: URLSearchParams,
    assertion: string,
  ) => {
    if (form.get('client_assertion_type') !== JWT_BEARER) return aadsts.badAssertionType(req);
    const jwt = decodeJwt(assertion);
    if (!jwt) return aadsts.malformedAssertion('The client assertion could not be decoded.', req);
    const { header, payload } = jwt;
    const issuerClaim = String(payload.iss ?? '').toLowerCase();
    if (issuerClaim !== app.clientId || String(payload.sub ?? '').toLowerCase() !== app.clientId)
      return aadsts.assertionIssuer(req);
    const origin = originOf(req, issuer.origin);
    const audiences = new Set(
      [tenant.id, ...tenant.domains].map((t) => `${origin}/${t}/oauth2/v2.0/token`.toLowerCase()),
    );
    if (typeof payload.aud !== 'string' || !audiences.has(payload.aud.toLowerCase())) {
      return aadsts.malformedAssertion(`The audience '${String(payload.aud)}' is not this token endpoint.`, req);
    }
    const now = Math.floor(Date.now() / 1000);
    const exp = Number(payload.exp);
    const nbf = Number(payload.nbf ?? payload.iat ?? 0);
    if (!Number.isFinite(exp) || exp + SKEW_SECONDS < now || nbf - SKEW_SECONDS > now)
      return aadsts.assertionTime(payload.nbf, payload.exp, req);
    const x5t = header['x5t#S256'];
    const thumbprint = typeof x5t === 'string' ? normalizeThumbprint(x5t) : '';
    if (!thumbprint || !app.certificateThumbprints.includes(thumbprint))
      return aadsts.unknownKey(thumbprint || 'none', app.clientId, req);
    return undefined;
  };

  return [
    { method: 'GET', pattern: '/common/discovery/instance', handler: instanceDiscovery },
    { method: 'GET', pattern: '/:tenant/v2.0/.well-known/openid-configuration', handler: discovery },
    { method: 'POST', pattern: '/:tenant/oauth2/v2.0/token', handler: token },
    {
      method: 'POST',
      pattern: '/:tenant/oauth2/v2.0/devicecode',
      handler: (ctx) => {
        const tenant = state.tenant(ctx.params.tenant!);
        if (!tenant) return aadsts.unknownTenant(ctx.params.tenant!, ctx.req);
        return deviceCodes.start(ctx.req, tenant, new URLSearchParams(ctx.req.body), originOf(ctx.req, issuer.origin));
      },
    },
    {
      method: 'GET',
      pattern: '/:tenant/oauth2/v2.0/authorize',
      handler: (ctx) => {
        const tenant = state.tenant(ctx.params.tenant!);
        if (!tenant) return aadsts.unknownTenant(ctx.params.tenant!, ctx.req);
        return authorizationCodes.authorize(ctx.req, tenant);
      },
    },
    {
      method: 'GET',
      pattern: '/:tenant/oauth2/v2.0/logout',
      handler: (ctx) => {
        const tenant = state.tenant(ctx.params.tenant!);
        if (!tenant) return aadsts.unknownTenant(ctx.params.tenant!, ctx.req);
        return logoutAnswer(ctx.req, tenant);
      },
    },
    { method: 'GET', pattern: '/:tenant/discovery/v2.0/keys', handler: () => json(200, { keys: userSignIn.jwks() }) },
  ];
}

function checkSecret(req: FakeRequest, app: AppRegistration, secret: string): FakeResponse | undefined {
  const match = app.secrets.find((s) => s.value === secret);
  if (!match) return aadsts.invalidSecret(app.clientId, req);
  if (match.expired) return aadsts.expiredSecret(app.clientId, req);
  return undefined;
}

/** RFC 6749 section 2.3.1: `Basic base64(urlencode(client_id):urlencode(secret))`. */
function parseBasic(header: string | undefined): { clientId: string; secret: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon)),
      secret: decodeURIComponent(decoded.slice(colon + 1)),
    };
  } catch {
    return undefined;
  }
}
