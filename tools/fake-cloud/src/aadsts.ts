import { AADSTS50000, aadstsError } from './errors.js';
import type { FakeRequest, FakeResponse } from './types.js';

type Req = (Pick<FakeRequest, 'headers' | 'query'> & { body?: string }) | undefined;

const CERT_DOC =
  'Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .';

/** The Entra token errors the fake produces, with the status, `error` and AADSTS code of the real ones. */
export const aadsts = {
  invalidSecret: (clientId: string, req?: Req): FakeResponse =>
    aadstsError(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      req,
    ),
  expiredSecret: (clientId: string, req?: Req): FakeResponse =>
    aadstsError(
      401,
      'invalid_client',
      7000222,
      `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
      req,
    ),
  unknownApp: (clientId: string, directory: string, req?: Req): FakeResponse =>
    aadstsError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      req,
    ),
  unknownTenant: (tenant: string, req?: Req): FakeResponse =>
    aadstsError(
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      req,
    ),
  invalidScope: (scope: string, req?: Req): FakeResponse =>
    aadstsError(
      400,
      'invalid_scope',
      70011,
      `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
      req,
    ),
  scopeNeedsDefault: (scope: string, req?: Req): FakeResponse =>
    aadstsError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      req,
    ),
  missingParameter: (name: string, req?: Req): FakeResponse =>
    aadstsError(
      400,
      'invalid_request',
      900144,
      `The request body must contain the following parameter: '${name}'.`,
      req,
    ),
  missingCredential: (req?: Req): FakeResponse =>
    aadstsError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      req,
    ),
  unsupportedGrant: (grant: string, req?: Req): FakeResponse =>
    aadstsError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`, req),
  badAssertionType: (req?: Req): FakeResponse =>
    aadstsError(
      400,
      'invalid_request',
      7000216,
      "'client_assertion_type' must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
      req,
    ),
  malformedAssertion: (detail: string, req?: Req): FakeResponse =>
    aadstsError(401, 'invalid_client', 50027, `JWT token is invalid or malformed. ${detail}`, req),
  assertionIssuer: (req?: Req): FakeResponse =>
    aadstsError(
      401,
      'invalid_client',
      700021,
      `Client assertion application identifier doesn't match 'client_id' parameter. ${CERT_DOC}`,
      req,
    ),
  assertionTime: (nbf: unknown, exp: unknown, req?: Req): FakeResponse =>
    aadstsError(
      401,
      'invalid_client',
      700024,
      `Client assertion is not within its valid time range. Current time: ${new Date().toISOString()}, assertion valid from ${String(nbf)}, expiry time of assertion ${String(exp)}. ${CERT_DOC}`,
      req,
    ),
  unknownKey: (thumbprint: string, clientId: string, req?: Req): FakeResponse =>
    aadstsError(
      401,
      'invalid_client',
      700027,
      `Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint.toUpperCase()}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${clientId}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments if you are not using Graph Explorer to configure keys.]`,
      req,
    ),
  appDisabled: (clientId: string, req?: Req): FakeResponse =>
    aadstsError(400, 'unauthorized_client', 7000112, `Application '${clientId}' is disabled.`, req),
  throttled: (req?: Req, headers: Record<string, string> = {}): FakeResponse =>
    aadstsError(
      429,
      'temporarily_unavailable',
      90055,
      'TenantThrottlingError - There are too many incoming requests.',
      req,
      headers,
    ),
  serverError: (status: number, req?: Req, headers: Record<string, string> = {}): FakeResponse =>
    aadstsError(status, status === 503 ? 'temporarily_unavailable' : 'server_error', 50000, AADSTS50000, req, headers),
  invalidInstance: (req?: Req): FakeResponse =>
    aadstsError(400, 'invalid_instance', 50049, 'Unknown or invalid instance.', req),
  authorizationPending: (req?: Req): FakeResponse =>
    aadstsError(
      400,
      'authorization_pending',
      70016,
      'OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
      req,
    ),
  authorizationDeclined: (req?: Req): FakeResponse =>
    aadstsError(400, 'authorization_declined', 70000, 'The end user denied the authorization request.', req),
  expiredToken: (req?: Req): FakeResponse =>
    aadstsError(400, 'expired_token', 70019, 'Verification code expired.', req),
  badVerificationCode: (req?: Req): FakeResponse =>
    aadstsError(
      400,
      'bad_verification_code',
      70000,
      'Provided grant is invalid or malformed. The device code is not known.',
      req,
    ),
  slowDown: (req?: Req): FakeResponse =>
    aadstsError(
      400,
      'slow_down',
      70016,
      'OAuth 2.0 device flow error. Polling too fast: add 5 seconds to the interval.',
      req,
    ),
  refreshTokenRevoked: (req?: Req): FakeResponse =>
    aadstsError(
      400,
      'invalid_grant',
      50173,
      'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
      req,
    ),
  refreshTokenExpired: (req?: Req): FakeResponse =>
    aadstsError(
      400,
      'invalid_grant',
      700082,
      'The refresh token has expired due to inactivity. The token was issued on a date and was inactive for 90.00:00:00.',
      req,
    ),
  consentRequired: (req?: Req): FakeResponse =>
    aadstsError(
      400,
      'invalid_grant',
      65001,
      'The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.',
      req,
    ),
  badAuthorizationCode: (req?: Req): FakeResponse =>
    aadstsError(
      400,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
      req,
    ),
  pkceMismatch: (req?: Req): FakeResponse =>
    aadstsError(
      400,
      'invalid_grant',
      501481,
      'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
      req,
    ),
  redirectMismatch: (req?: Req): FakeResponse =>
    aadstsError(
      400,
      'invalid_grant',
      50148,
      'The redirect_uri does not match the one used in the authorization request.',
      req,
    ),
  spaNeedsCrossOrigin: (req?: Req): FakeResponse =>
    aadstsError(
      400,
      'invalid_request',
      9002327,
      "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
      req,
    ),
  crossOriginNeedsSpa: (req?: Req): FakeResponse =>
    aadstsError(
      400,
      'invalid_request',
      9002326,
      "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.",
      req,
    ),
  publicClientSecret: (req?: Req): FakeResponse =>
    aadstsError(
      400,
      'invalid_request',
      700025,
      "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
      req,
    ),
  invalidGrant: (req?: Req): FakeResponse =>
    aadstsError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.', req),
};
