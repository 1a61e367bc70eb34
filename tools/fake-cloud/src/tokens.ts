import { randomUUID } from 'node:crypto';
import type { ResourceName, TokenClaims } from './types.js';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const UNSIGNED_HEADER = b64url({ alg: 'none', typ: 'JWT' });

/** An unsigned JWT (`alg: none`, empty signature): clients must not parse tokens, the fake's routes do. */
export function encodeToken(claims: object): string {
  return `${UNSIGNED_HEADER}.${b64url({ ...claims, uti: randomUUID().replaceAll('-', ''), ver: '1.0' })}.`;
}

/** Decodes any JWT's header and payload without verifying it (client assertions, the fake's own tokens). */
export function decodeJwt(
  jwt: string,
): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3 || !parts[0] || !parts[1]) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as unknown;
    if (!isObject(header) || !isObject(payload)) return undefined;
    return { header, payload };
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Lower-case hex of a certificate thumbprint given as hex (colons allowed) or base64url (`x5t#S256`). */
export function normalizeThumbprint(thumbprint: string): string {
  const compact = thumbprint.replaceAll(':', '').trim();
  if (/^[0-9a-fA-F]{64}$/.test(compact)) return compact.toLowerCase();
  return Buffer.from(compact, 'base64url').toString('hex');
}

export type TokenProblem = 'missing' | 'malformed' | 'expired' | 'audience';

const cache = new Map<string, TokenClaims>();
const CACHE_LIMIT = 2000;

/**
 * Reads the bearer token of a request and checks it is the fake's, unexpired and for the expected resource.
 * Decoded tokens are memoised: benchmarks send the same token thousands of times.
 */
export function verifyBearer(
  authorization: string | undefined,
  expected: ResourceName,
  resourceOf: (aud: string) => ResourceName | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
): { claims: TokenClaims } | { problem: TokenProblem } {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return { problem: 'missing' };
  const token = match[1];
  let claims = cache.get(token);
  if (!claims) {
    const decoded = decodeJwt(token);
    const payload = decoded?.payload;
    if (
      !payload ||
      typeof payload.aud !== 'string' ||
      typeof payload.exp !== 'number' ||
      typeof payload.tid !== 'string'
    ) {
      return { problem: 'malformed' };
    }
    claims = payload as unknown as TokenClaims;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(token, claims);
  }
  if (claims.exp <= nowSeconds) return { problem: 'expired' };
  if (resourceOf(claims.aud) !== expected) return { problem: 'audience' };
  return { claims };
}

/** The permissions a token carries: app roles, or delegated scopes for a user token. */
export function grantedPermissions(claims: TokenClaims): string[] {
  return claims.roles ?? (claims.scp ? claims.scp.split(' ') : []);
}
