import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Role = Schemas['Me']['role'];
export type Problem = Schemas['Problem'];

const KEY = 'riposte.key';

/** The key lives in sessionStorage only: gone when the tab closes, never in a URL or localStorage. */
export const credentials = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (key: string) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

/** Where the bearer comes from when it is not a pasted key: Entra ID sign-in (see entra.ts). */
export interface TokenSource {
  token(): Promise<string | null>;
}
let signedIn: TokenSource | null = null;
export const setTokenSource = (source: TokenSource | null) => {
  signedIn = source;
};

/** The bearer for the next call: a fresh (silently renewed) sign-in token, or the pasted key. */
export async function bearer(): Promise<string | null> {
  return signedIn ? signedIn.token() : credentials.get();
}

/** An answer that was not a success, with the service's problem details when it sent some. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.detail ?? `The service answered ${status}.`);
  }
}

const auth: Middleware = {
  async onRequest({ request }) {
    const token = await bearer();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

/** Unwraps an openapi-fetch answer: the data, or an ApiError. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new Event('riposte:unauthenticated'));
    throw new ApiError(response.status, (error as Problem | undefined) ?? null);
  }
  return data as T;
}

const LADDER: Role[] = ['viewer', 'analyst', 'author', 'admin'];
/** Mirrors the server's role ladder to decide what to show; the server still checks every call. */
export function roleAllows(held: Role | undefined, required: Role): boolean {
  if (!held || held === 'ingest') return false;
  return LADDER.indexOf(held) >= LADDER.indexOf(required);
}

/** A fresh Idempotency-Key: one per submission, so a double click or a retry acts once. */
export const newIdempotencyKey = () => crypto.randomUUID();
