import type { ErrorCode } from '@riposte/errors';

/** Why a call to Azure failed, as a stable code a playbook can branch on and retry by (each in the error catalogue). */
export const AZURE_ERROR_CODES = [
  'invalid_client_secret',
  'expired_client_secret',
  'certificate_rejected',
  'app_not_found',
  'tenant_not_found',
  'invalid_scope',
  'authority_unreachable',
  'token_request_failed',
  'unauthorized',
  'insufficient_privileges',
  'user_not_found',
  'machine_not_found',
  'alert_not_found',
  'group_not_found',
  'service_principal_not_found',
  'incident_not_found',
  'indicator_not_found',
  'file_not_found',
  'not_found',
  'action_already_pending',
  'throttled',
  'bad_request',
  'service_unavailable',
  'timeout',
  'network_error',
  'cancelled',
  'endpoint_refused',
  'unexpected_redirect',
  'resource_not_available',
  'machine_action_failed',
  'machine_action_timed_out',
  'machine_action_cancelled',
  'machine_action_pending',
  'sign_in_required',
  'sign_in_pending',
  'sign_in_declined',
  'sign_in_expired',
  'arm_not_configured',
  'resource_group_not_found',
  'storage_account_not_found',
  'container_not_found',
] as const satisfies readonly ErrorCode[];
export type AzureErrorCode = (typeof AZURE_ERROR_CODES)[number];

export type AzureService = 'identity' | 'graph' | 'defender' | 'management';

export interface AzureErrorDetails {
  service: AzureService;
  status?: number;
  /** The code Azure itself gave (Graph/MDE `error.code`, or the msal error code). */
  azureCode?: string;
  /** The AADSTS number for identity errors. */
  aadsts?: number;
  retryAfterMs?: number;
  requestId?: string;
}

/**
 * A failed Azure call. The message is written for an analyst and is safe to store and show:
 * it never carries a token, a secret or a request's headers.
 */
export class AzureError extends Error {
  constructor(
    readonly code: AzureErrorCode,
    message: string,
    readonly details: AzureErrorDetails,
  ) {
    super(message);
    this.name = 'AzureError';
  }

  /**
   * True when the request certainly had no effect and may be sent again. Ambiguous failures
   * (a timeout or reset after the request left) are not retryable: the caller must reconcile.
   */
  get certainlyNotApplied(): boolean {
    // An allow-list on purpose, not "every code but the ambiguous ones": a code added to
    // AZURE_ERROR_CODES counts as ambiguous (reconcile, never resend) until it is listed here.
    return [
      'throttled',
      'invalid_client_secret',
      'expired_client_secret',
      'certificate_rejected',
      'app_not_found',
      'tenant_not_found',
      'invalid_scope',
      'authority_unreachable',
      'token_request_failed',
      'unauthorized',
      'insufficient_privileges',
      'user_not_found',
      'machine_not_found',
      'alert_not_found',
      'group_not_found',
      'service_principal_not_found',
      'incident_not_found',
      'indicator_not_found',
      'file_not_found',
      'not_found',
      'bad_request',
      'endpoint_refused',
      'resource_not_available',
      'sign_in_required',
      'arm_not_configured',
      'resource_group_not_found',
      'storage_account_not_found',
      'container_not_found',
    ].includes(this.code);
  }

  toJSON(): { code: AzureErrorCode; message: string; status?: number; azureCode?: string } {
    return { code: this.code, message: this.message, status: this.details.status, azureCode: this.details.azureCode };
  }
}
