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
  nonce: string | undefined;
  spa: boolean;
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
    const spa = app.spaRedirectUris.includes(redirectUri);
    // A redirect URI that is not registered is never redirected to: the error shows on Entra's own page.
    if (!spa && !app.redirectUris.includes(redirectUri))
      return page(
        400,
        `AADSTS50011: The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`,
      );
    const state = q.get('state');
    // The answer rides in the query (the default for a code) or, when asked, in the fragment (msal-browser's default).
    const inFragment = q.get('response_mode') === 'fragment';
    const back = (params: Record<string, string>) => {
      const url = new URL(redirectUri);
      const answer = new URLSearchParams({ ...params, ...(state !== null ? { state } : {}) });
      if (inFragment) url.hash = answer.toString();
      else for (const [k, v] of answer) url.searchParams.set(k, v);
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
      nonce: q.get('nonce') ?? undefined,
      spa,
      expiresAt: Date.now() + CODE_LIFETIME_MS,
    });
    return back({ code, session_state: randomBytes(8).toString('hex') });
  }

  /** Whether a redirect URI belongs to the Single-page application platform (no client secret then). */
  static isSpa(app: { spaRedirectUris: string[] }, redirectUri: string | null): boolean {
    return redirectUri !== null && app.spaRedirectUris.includes(redirectUri);
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
    // An SPA's code is redeemed by the browser (cross-origin, so with an Origin header), a web app's by its server.
    const crossOrigin = Boolean(req.headers.origin);
    if (issued.spa && !crossOrigin) return aadsts.spaNeedsCrossOrigin(req);
    if (!issued.spa && crossOrigin) return aadsts.crossOriginNeedsSpa(req);
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
        nonce: issued.nonce,
        spa: issued.spa,
      },
      origin,
    );
  }
}

/** `GET /{tenant}/oauth2/v2.0/logout`: back to `post_logout_redirect_uri` when an app of the tenant registered it. */
export function logoutAnswer(req: FakeRequest, tenant: TenantData): FakeResponse {
  const back = req.query.get('post_logout_redirect_uri');
  const registered =
    back !== null &&
    [...tenant.apps.values()].some((a) => a.redirectUris.includes(back) || a.spaRedirectUris.includes(back));
  if (registered) return { status: 302, headers: { location: back, 'cache-control': 'no-store' }, text: '' };
  return page(200, 'You signed out of your account. It is a good idea to close all browser windows.');
}

function page(status: number, message: string): FakeResponse {
  const escaped = message.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    text: `<!doctype html><title>Sign in</title><p>${escaped}</p>`,
  };
}
