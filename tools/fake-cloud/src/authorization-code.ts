import { createHash, randomBytes } from 'node:crypto';
import { aadsts } from './aadsts.js';
import type { DeviceCodeFlow } from './device-code.js';
import type { GraphUser } from './model.js';
import type { TenantData } from './state.js';
import type { FakeRequest, FakeResponse } from './types.js';

/** Who is at the browser when an authorize page opens, and what they answer. */
export type BrowserAnswer = { user: GraphUser; consent: 'grant' } | { consent: 'decline' };

interface IssuedCode {
  tenantId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string;
  expiresAt: number;
}

/** Authorization codes live about 10 minutes at Entra. */
const CODE_LIFETIME_MS = 10 * 60_000;

/**
 * The authorization code flow with PKCE: the authorize page (answered at once by whoever the test
 * put at the browser, or a plain page saying nobody is there) and the code redemption.
 */
export class AuthorizationCodeFlow {
  private readonly codes = new Map<string, IssuedCode>();
  private browser: BrowserAnswer | undefined;

  constructor(private readonly sessions: DeviceCodeFlow) {}

  clear(): void {
    this.codes.clear();
    this.browser = undefined;
  }

  /** The next authorize pages are answered this way (undefined: nobody at the browser). */
  answerWith(answer: BrowserAnswer | undefined): void {
    this.browser = answer;
  }

  /** `GET /{tenant}/oauth2/v2.0/authorize`. */
  authorize(req: FakeRequest, tenant: TenantData): FakeResponse {
    const q = req.query;
    const clientId = (q.get('client_id') ?? '').toLowerCase();
    const app = tenant.apps.get(clientId);
    if (!app)
      return page(
        400,
        `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenant.displayName}'.`,
      );
    const redirectUri = q.get('redirect_uri') ?? '';
    // A redirect URI that is not registered is never redirected to: the error shows on Entra's own page.
    if (!app.redirectUris.includes(redirectUri))
      return page(
        400,
        `AADSTS50011: The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`,
      );
    const state = q.get('state');
    const back = (params: Record<string, string>) => {
      const url = new URL(redirectUri);
      for (const [k, v] of Object.entries({ ...params, ...(state !== null ? { state } : {}) }))
        url.searchParams.set(k, v);
      return { status: 302, headers: { location: url.toString(), 'cache-control': 'no-store' }, text: '' };
    };
    if (q.get('response_type') !== 'code')
      return back({
        error: 'unsupported_response_type',
        error_description: 'AADSTS700054: response_type must be code.',
      });
    const challenge = q.get('code_challenge');
    if (!challenge || q.get('code_challenge_method') !== 'S256')
      return back({
        error: 'invalid_request',
        error_description: 'AADSTS9002325: Proof Key for Code Exchange (S256) is required.',
      });
    const scopes = (q.get('scope') ?? '').split(' ').filter(Boolean);
    if (!scopes.length)
      return back({
        error: 'invalid_request',
        error_description: "AADSTS900144: The request body must contain the following parameter: 'scope'.",
      });
    if (!this.browser)
      return page(
        200,
        'Sign in to your account. (Nobody is at this fake browser: a test answers with answerAuthorize().)',
      );
    if (this.browser.consent === 'decline')
      return back({
        error: 'access_denied',
        error_description: 'AADSTS65004: User declined to consent to access the app.',
      });
    const code = randomBytes(32).toString('base64url');
    this.codes.set(code, {
      tenantId: tenant.id,
      clientId,
      userId: this.browser.user.id,
      redirectUri,
      scopes,
      codeChallenge: challenge,
      expiresAt: Date.now() + CODE_LIFETIME_MS,
    });
    return back({ code, session_state: randomBytes(8).toString('hex') });
  }

  /** `grant_type=authorization_code` (the client credential is checked by the caller). */
  redeem(req: FakeRequest, tenant: TenantData, form: URLSearchParams, origin: string): FakeResponse {
    const code = form.get('code');
    if (!code) return aadsts.missingParameter('code', req);
    const issued = this.codes.get(code);
    // A code is good once.
    this.codes.delete(code);
    if (
      !issued ||
      issued.tenantId !== tenant.id ||
      issued.clientId !== (form.get('client_id') ?? '').toLowerCase() ||
      Date.now() > issued.expiresAt
    )
      return aadsts.badAuthorizationCode(req);
    if (form.get('redirect_uri') !== issued.redirectUri) return aadsts.redirectMismatch(req);
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== issued.codeChallenge)
      return aadsts.pkceMismatch(req);
    const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
    return this.sessions.userTokens(
      req,
      tenant,
      {
        tenantId: tenant.id,
        clientId: issued.clientId,
        userId: issued.userId,
        scopes: requested.length ? requested : issued.scopes,
      },
      origin,
    );
  }
}

function page(status: number, message: string): FakeResponse {
  const escaped = message.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    text: `<!doctype html><title>Sign in</title><p>${escaped}</p>`,
  };
}
