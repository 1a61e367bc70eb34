import { describe, expect, it } from 'vitest';
import { apiError, identityError } from './error-mapping.js';

describe('identityError', () => {
  it('turns the AADSTS codes people hit into plain sentences with stable codes', () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ errorCode: 'invalid_client', errorNo: '7000215', status: 401 }, 'invalid_client_secret', /secret is wrong/],
      [{ errorCode: 'invalid_client', errorNo: '7000222', status: 401 }, 'expired_client_secret', /expired/],
      [{ errorCode: 'unauthorized_client', errorNo: '700016', status: 400 }, 'app_not_found', /No application/],
      [{ errorCode: 'invalid_tenant', errorNo: '90002', status: 400 }, 'tenant_not_found', /tenant was not found/],
      [{ errorCode: 'endpoints_resolution_error' }, 'authority_unreachable', /could not be reached/],
    ];
    for (const [error, code, message] of cases) {
      const mapped = identityError(error, 'https://login.microsoftonline.com');
      expect(mapped.code).toBe(code);
      expect(mapped.message).toMatch(message);
    }
  });

  it('finds the AADSTS number in the message when errorNo is missing', () => {
    expect(identityError({ errorMessage: 'AADSTS7000215: Invalid client secret provided.' }, 'x').code).toBe(
      'invalid_client_secret',
    );
  });
});

describe('apiError', () => {
  it('maps Graph and Defender error bodies by status and code', () => {
    expect(
      apiError(
        'graph',
        404,
        { error: { code: 'Request_ResourceNotFound', message: 'x' } },
        { notFound: 'user_not_found' },
      ).code,
    ).toBe('user_not_found');
    expect(apiError('graph', 403, { error: { code: 'Authorization_RequestDenied' } }).code).toBe(
      'insufficient_privileges',
    );
    expect(
      apiError('defender', 400, {
        error: { code: 'ActiveRequestAlreadyExists', message: 'Action is already in progress' },
      }).code,
    ).toBe('action_already_pending');
    expect(apiError('graph', 429, {}, { retryAfterMs: 3000 }).message).toMatch(/wait 3 s/);
    expect(apiError('defender', 503, {}).code).toBe('service_unavailable');
    expect(
      apiError('graph', 400, { error: { code: 'Request_BadRequest', message: 'Invalid property' } }).message,
    ).toMatch(/Invalid property/);
  });
});
