/**
 * Reads the claims of an access token without verifying it. Only for diagnostics (which app
 * roles did Entra ID grant?): the token came straight from the token endpoint over TLS, and
 * the resource server is the one that validates it.
 */
export function readClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function grantedRoles(token: string): string[] {
  const roles = readClaims(token).roles;
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
}

/** Delegated permissions a person's token carries (the `scp` claim). */
export function grantedScopes(token: string): string[] {
  const scp = readClaims(token).scp;
  return typeof scp === 'string' ? scp.split(' ').filter(Boolean) : [];
}
