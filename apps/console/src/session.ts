import { type QueryClient, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, credentials, ok, setTokenSource } from './api/client';
import type { EntraConfig, EntraSignIn } from './api/entra';

/** How this tab is signed in: a pasted API key, Entra ID, or not yet. */
export type Session = 'key' | 'entra' | null;

let entraStart: Promise<EntraSignIn> | undefined;
/** msal-browser is fetched (and a sign-in coming back is read) once per page, only when the service offers it. */
function loadEntra(config: EntraConfig): Promise<EntraSignIn> {
  return (entraStart ??= import('./api/entra').then((m) => m.startEntra(config)));
}

/**
 * The sign-in state of the console. Who the person is and which role they hold always come from
 * the service (`GET /api/v1/me`), never from the token.
 */
export function useSession(client: QueryClient) {
  const options = useQuery({
    queryKey: ['auth-config'],
    queryFn: () => ok(api.GET('/api/v1/auth/config')),
    staleTime: Infinity,
  });
  const config = options.data?.entra;
  const [entra, setEntra] = useState<EntraSignIn | null>(null);
  const [entraError, setEntraError] = useState<unknown>(null);
  const [redirecting, setRedirecting] = useState(false);
  const [session, setSession] = useState<Session>(credentials.get() ? 'key' : null);

  useEffect(() => {
    if (!config) return;
    let current = true;
    loadEntra(config).then(
      (started) => {
        if (!current) return;
        setEntra(started);
        if (started.signedIn && !credentials.get()) {
          setTokenSource(started);
          setSession('entra');
        }
      },
      (error: unknown) => current && setEntraError(error),
    );
    return () => {
      current = false;
    };
  }, [config]);

  const me = useQuery({
    queryKey: ['me', session],
    queryFn: () => ok(api.GET('/api/v1/me')),
    enabled: session !== null,
    retry: false,
    staleTime: Infinity,
  });

  /** `everywhere`: also at Entra ID (the button); otherwise this tab only (the service refused the token). */
  const signOut = (everywhere: boolean) => {
    const leaving = session === 'entra' ? entra : null;
    credentials.clear();
    setTokenSource(null);
    client.clear();
    setSession(null);
    if (leaving) void (everywhere ? leaving.signOut() : leaving.forget());
  };

  return {
    session,
    me,
    /** Still finding out: the service's sign-in options, or a sign-in coming back from Entra ID. */
    starting: session === null && (options.isPending || (Boolean(config) && !entra && !entraError)),
    error: me.error ?? entraError,
    signInWithKey: (key: string) => {
      credentials.set(key);
      setSession('key');
    },
    signOut,
    microsoft:
      config && entra
        ? {
            busy: redirecting,
            signIn: () => {
              setRedirecting(true);
              entra.signIn().catch((error: unknown) => {
                setRedirecting(false);
                setEntraError(error);
              });
            },
            signOut: session === 'entra' ? () => signOut(true) : undefined,
          }
        : undefined,
  };
}
