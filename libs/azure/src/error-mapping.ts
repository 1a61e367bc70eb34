import { AzureError, type AzureErrorCode, type AzureService } from './azure-error.js';

interface ApiErrorBody {
  error?: { code?: string; message?: string; innerError?: { 'request-id'?: string }; target?: string };
}

/** What a 404 means depends on what was asked for. */
export type NotFoundMeaning =
  | 'user_not_found'
  | 'machine_not_found'
  | 'alert_not_found'
  | 'group_not_found'
  | 'service_principal_not_found'
  | 'incident_not_found'
  | 'indicator_not_found'
  | 'file_not_found'
  | 'not_found'
  | 'resource_group_not_found'
  | 'storage_account_not_found'
  | 'container_not_found';

/** Maps a Graph or Defender error answer (docs/AZURE.md#graph-errors, docs/AZURE.md#defender-errors) to a typed error. */
export function apiError(
  service: AzureService,
  status: number,
  body: unknown,
  options: { notFound?: NotFoundMeaning; retryAfterMs?: number; what?: string } = {},
): AzureError {
  const error = (body as ApiErrorBody | undefined)?.error;
  const azureCode = error?.code || undefined;
  const requestId = error?.innerError?.['request-id'] ?? error?.target;
  const serviceName =
    service === 'graph'
      ? 'Microsoft Graph'
      : service === 'defender'
        ? 'Defender for Endpoint'
        : service === 'management'
          ? 'Azure Resource Manager'
          : 'Azure';
  const azureMessage = typeof error?.message === 'string' ? error.message.slice(0, 500) : '';
  const details = { service, status, azureCode, requestId, retryAfterMs: options.retryAfterMs };
  const what = options.what ? ` ${options.what}` : '';

  const [code, message]: [AzureErrorCode, string] = (() => {
    if (azureCode === 'ActiveRequestAlreadyExists')
      return ['action_already_pending', `${serviceName}: an action of this kind is already pending for this machine.`];
    // ARM says which level was missing: the resource group, or the resource in it.
    if (azureCode === 'ResourceGroupNotFound')
      return ['resource_group_not_found', `${serviceName}: ${azureMessage || 'the resource group was not found.'}`];
    if (status === 403 && azureCode === 'AuthorizationFailed')
      return [
        'insufficient_privileges',
        `${serviceName} refused${what}: ${azureMessage} Assign an Azure role that allows it (Access control (IAM) on the resource group).`,
      ];
    switch (status) {
      case 401:
        return [
          'unauthorized',
          `${serviceName} did not accept the access token (${azureCode ?? 'unauthorized'}). Check that the app registration belongs to this tenant and cloud.`,
        ];
      case 403:
        return [
          'insufficient_privileges',
          `${serviceName} refused${what}: insufficient privileges (${azureCode ?? 'forbidden'}). Grant the application permission the action needs, then grant admin consent.`,
        ];
      case 404:
        return [options.notFound ?? 'not_found', `${serviceName}:${what || ' the resource'} was not found.`];
      case 429:
        return [
          'throttled',
          `${serviceName} is throttling this app${options.retryAfterMs !== undefined ? `; it asked to wait ${Math.ceil(options.retryAfterMs / 1000)} s` : ''}.`,
        ];
      default:
        if (status >= 500)
          return [
            'service_unavailable',
            `${serviceName} failed with HTTP ${status}${azureCode ? ` (${azureCode})` : ''}.`,
          ];
        return [
          'bad_request',
          `${serviceName} rejected the request with HTTP ${status}${azureCode ? ` (${azureCode})` : ''}${azureMessage ? `: ${azureMessage}` : '.'}`,
        ];
    }
  })();
  return new AzureError(code, message, details);
}

interface MsalLikeError {
  errorCode?: string;
  errorNo?: string | number;
  status?: number;
  errorMessage?: string;
  message?: string;
}

/** Plain sentences for the AADSTS errors people actually hit (docs/AZURE.md#aadsts-codes, docs/AZURE.md#msal-errors). */
const AADSTS: Record<number, [AzureErrorCode, string]> = {
  7000215: [
    'invalid_client_secret',
    "The client secret is wrong. Paste the secret's Value (not its Secret ID) from Certificates & secrets of the app registration.",
  ],
  7000222: [
    'expired_client_secret',
    'The client secret has expired. Create a new client secret in the app registration (Certificates & secrets) and update this connection target.',
  ],
  700016: [
    'app_not_found',
    'No application with this client id exists in the tenant. Check the Application (client) ID, and that the app is registered and consented in this tenant.',
  ],
  90002: [
    'tenant_not_found',
    'The tenant was not found. Check the Directory (tenant) ID and that the connection target uses the right cloud.',
  ],
  70011: [
    'invalid_scope',
    'The token scope is not valid for this cloud. Check the cloud and the endpoint scopes of the connection target.',
  ],
  1002012: ['invalid_scope', 'The token scope must be a resource followed by /.default.'],
  700027: [
    'certificate_rejected',
    'The certificate was not accepted. Upload its public certificate to the app registration (Certificates & secrets).',
  ],
  700024: [
    'certificate_rejected',
    'The client assertion was not accepted (it may be expired or not yet valid). Check the clock and the certificate.',
  ],
};

/** Maps what msal-node throws (ServerError, ClientAuthError, …) to a typed error. */
export function identityError(err: unknown, authority: string): AzureError {
  if (err instanceof AzureError) return err;
  const e = (err ?? {}) as MsalLikeError;
  const aadsts =
    Number(e.errorNo) || Number(/AADSTS(\d+)/.exec(String(e.errorMessage ?? e.message ?? ''))?.[1]) || undefined;
  const details = { service: 'identity' as const, status: e.status, azureCode: e.errorCode, aadsts };
  const known = aadsts ? AADSTS[aadsts] : undefined;
  if (known) return new AzureError(known[0], `${known[1]} (AADSTS${aadsts})`, details);
  switch (e.errorCode) {
    case 'endpoints_resolution_error':
    case 'untrusted_authority':
      return new AzureError(
        'authority_unreachable',
        `The sign-in authority ${authority} could not be reached or is not trusted. Check the cloud and endpoints; a custom authority also needs a certificate this service trusts.`,
        details,
      );
    case 'invalid_client':
      return new AzureError(
        'invalid_client_secret',
        'Entra ID refused the client credential (invalid_client).',
        details,
      );
    case 'ERIPOSTE_ENDPOINT_REFUSED':
      return new AzureError(
        'endpoint_refused',
        `The sign-in authority ${authority} resolves to an address this service does not call.`,
        details,
      );
  }
  if (e.status === 429 || (e.status ?? 0) >= 500) {
    return new AzureError(
      e.status === 429 ? 'throttled' : 'service_unavailable',
      `Entra ID answered the token request with HTTP ${e.status}; msal will not ask again until its Retry-After passes.`,
      details,
    );
  }
  return new AzureError(
    'token_request_failed',
    `The token request failed${e.errorCode ? ` (${e.errorCode}${aadsts ? `, AADSTS${aadsts}` : ''})` : ''}.`,
    details,
  );
}
