import {
  type AccountInfo,
  BrowserCacheLocation,
  CacheLookupPolicy,
  createStandardPublicClientApplication,
} from '@azure/msal-browser';
import type { Schemas } from './client';

export type EntraConfig = NonNullable<Schemas['AuthConfig']['entra']>;

/** A person's Entra ID sign-in on this tab: msal-browser, its cache in sessionStorage only. */
export interface EntraSignIn {
  /** Who is signed in on this tab (back from Entra ID just now, or earlier), if anyone. */
  readonly signedIn: boolean;
  /** Leaves for Entra ID's sign-in page (authorization code flow with PKCE); comes back to the console. */
  signIn(): Promise<void>;
  /** An access token for the service, renewed silently before it expires; null when a new sign-in is needed. */
  token(): Promise<string | null>;
  /** Forgets this tab's tokens and signs out at Entra ID, which sends the browser back here. */
  signOut(): Promise<void>;
  /** Forgets this tab's tokens only (the service refused them). */
  forget(): Promise<void>;
}

/**
 * Loaded only when the service offers Entra sign-in (msal-browser is large). Reads the answer of
 * a sign-in that just came back (the code in the URL's fragment, which msal then removes).
 */
export async function startEntra(config: EntraConfig): Promise<EntraSignIn> {
  const home = `${window.location.origin}/`;
  const msal = await createStandardPublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      // The authority is trusted as configured: no instance discovery call to Microsoft first.
      knownAuthorities: [new URL(config.authority).host],
      redirectUri: home,
      postLogoutRedirectUri: home,
    },
    cache: { cacheLocation: BrowserCacheLocation.SessionStorage },
  });
  const answer = await msal.handleRedirectPromise();
  let account: AccountInfo | null = answer?.account ?? msal.getAllAccounts()[0] ?? null;
  if (account) msal.setActiveAccount(account);
  return {
    get signedIn() {
      return account !== null;
    },
    signIn: () => msal.loginRedirect({ scopes: config.scopes }),
    async token() {
      if (!account) return null;
      try {
        // The cached token, else the refresh token; never a hidden frame (the page's CSP forbids frames).
        const policy = CacheLookupPolicy.AccessTokenAndRefreshToken;
        return (await msal.acquireTokenSilent({ scopes: config.scopes, account, cacheLookupPolicy: policy }))
          .accessToken;
      } catch {
        // Renewal needs the person again (refresh token expired or revoked): the call goes without
        // a token, the service answers 401 and the console shows its sign-in page.
        return null;
      }
    },
    async signOut() {
      const leaving = account;
      account = null;
      await msal.logoutRedirect(leaving ? { account: leaving } : {});
    },
    async forget() {
      account = null;
      await msal.clearCache();
    },
  };
}
