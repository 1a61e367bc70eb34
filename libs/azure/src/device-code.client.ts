import { Injectable } from '@nestjs/common';
import { redactor } from '@riposte/observability';
import { AzureError } from './azure-error.js';
import { AzureHttp } from './azure-http.js';
import type { AzureTarget } from './azure-target.js';
import { identityError } from './error-mapping.js';

export interface DeviceCodeGrant {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  expiresInSeconds: number;
  intervalSeconds: number;
  message: string;
}

export type DeviceCodePoll =
  { status: 'pending' } | { status: 'slow_down' } | { status: 'approved'; refreshToken: string };

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * The device authorization grant (RFC 8628) against Entra ID, one request at a time, so that the
 * start and the wait can be separate API calls, survive a restart and honour `slow_down` (msal's
 * own device code loop does neither, and is slated to leave msal-node). What it yields, a refresh
 * token, goes straight into msal's cache (DelegatedAuth.redeemRefreshToken).
 */
@Injectable()
export class DeviceCodeClient {
  constructor(private readonly http: AzureHttp) {}

  async start(target: AzureTarget, scopes: string[]): Promise<DeviceCodeGrant> {
    const reply = await this.post(target, 'devicecode', {
      client_id: target.clientId ?? '',
      scope: [...scopes, 'openid', 'profile', 'offline_access'].join(' '),
    });
    const body = reply.data as Record<string, unknown>;
    if (reply.status >= 400) throw this.failure(target, reply.status, body);
    if (typeof body.device_code !== 'string' || typeof body.user_code !== 'string')
      throw new AzureError('token_request_failed', 'Entra ID answered the device code request without a code.', {
        service: 'identity',
      });
    redactor.register(body.device_code);
    return {
      deviceCode: body.device_code,
      userCode: body.user_code,
      verificationUri: String(body.verification_uri ?? body.verification_url ?? ''),
      expiresInSeconds: Number(body.expires_in ?? 900),
      intervalSeconds: Number(body.interval ?? 5),
      message: String(body.message ?? ''),
    };
  }

  /** One poll of the token endpoint. Declined and expired codes throw; so does any other error. */
  async poll(target: AzureTarget, deviceCode: string): Promise<DeviceCodePoll> {
    const reply = await this.post(target, 'token', {
      grant_type: DEVICE_CODE_GRANT,
      client_id: target.clientId ?? '',
      device_code: deviceCode,
    });
    const body = reply.data as Record<string, unknown>;
    if (reply.status < 400) {
      if (typeof body.refresh_token !== 'string')
        throw new AzureError(
          'token_request_failed',
          'The sign-in succeeded but Entra ID sent no refresh token: allow the offline_access permission on the app.',
          { service: 'identity' },
        );
      redactor.register(body.refresh_token);
      if (typeof body.access_token === 'string') redactor.register(body.access_token);
      return { status: 'approved', refreshToken: body.refresh_token };
    }
    switch (body.error) {
      case 'authorization_pending':
        return { status: 'pending' };
      case 'slow_down':
        return { status: 'slow_down' };
      case 'authorization_declined':
        throw new AzureError('sign_in_declined', 'The person declined the sign-in on the device login page.', {
          service: 'identity',
          status: reply.status,
          azureCode: 'authorization_declined',
        });
      case 'expired_token':
      case 'bad_verification_code':
        throw new AzureError(
          'sign_in_expired',
          'The device code expired before anyone signed in with it. Start again.',
          { service: 'identity', status: reply.status, azureCode: String(body.error) },
        );
      default:
        throw this.failure(target, reply.status, body);
    }
  }

  private async post(target: AzureTarget, endpoint: 'devicecode' | 'token', form: Record<string, string>) {
    try {
      return await this.http.raw(target, {
        method: 'POST',
        url: `${target.endpoints.authority}/${target.tenantId}/oauth2/v2.0/${endpoint}`,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8' },
        body: new URLSearchParams(form).toString(),
      });
    } catch (error) {
      throw identityError(
        { errorCode: 'endpoints_resolution_error', message: (error as Error).message },
        target.endpoints.authority,
      );
    }
  }

  private failure(target: AzureTarget, status: number, body: Record<string, unknown>): AzureError {
    const codes = Array.isArray(body.error_codes) ? body.error_codes : [];
    return identityError(
      {
        errorCode: String(body.error ?? ''),
        errorNo: codes[0] as number | undefined,
        status,
        errorMessage: String(body.error_description ?? ''),
      },
      target.endpoints.authority,
    );
  }
}
