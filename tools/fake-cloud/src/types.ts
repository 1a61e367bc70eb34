/** The front doors of the fake; every recorded request and fault names one. `monitor` is the Logs Ingestion API. */
export type Service = 'identity' | 'graph' | 'defender' | 'msi' | 'monitor' | 'management';
export const SERVICES: readonly Service[] = ['identity', 'graph', 'defender', 'msi', 'monitor', 'management'];

/** Resources a token can be issued for (the `aud` of the token). */
export type ResourceName = 'graph' | 'defender' | 'management' | 'monitor';

/** One request as the routes see it, whether it came over the wire or from inside a `$batch`. */
export interface FakeRequest {
  service: Service;
  method: string;
  /** Full path on the origin, percent-decoded (e.g. `/graph/v1.0/users/adele@contoso.com`). */
  path: string;
  /** Path segments after the service prefix, each percent-decoded. */
  segments: string[];
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: string;
  batched: boolean;
}

/** What a route answers; `reset: true` means destroy the connection without an answer. */
export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless `text` is set; omitted for 204. */
  body?: unknown;
  text?: string;
  reset?: boolean;
}

/** The claims of the fake's access tokens (an unsigned JWT). */
export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  appid: string;
  azp: string;
  oid: string;
  sub: string;
  iat: number;
  nbf: number;
  exp: number;
  roles?: string[];
  scp?: string;
  idtyp?: string;
  upn?: string;
}

export type Json = Record<string, unknown>;
