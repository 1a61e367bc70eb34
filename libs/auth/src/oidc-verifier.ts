import { Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { AppConfig } from '@riposte/config';
import { RiposteError } from '@riposte/errors';
import { type Principal, type Role, roleAllows } from './roles.js';

type JwksFunction = ReturnType<typeof createRemoteJWKSet>;
const LADDER: Role[] = ['viewer', 'analyst', 'author', 'admin'];
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Sign-in for people: an OAuth 2.0 access token from Entra ID (or another OpenID provider),
 * verified with jose against the issuer's published keys (JWKS, fetched on first use, cached,
 * refetched when a token names an unknown key), for our audience, unexpired, RS256 only. The
 * user's app roles map to our roles; the highest one counts.
 */
@Injectable()
export class OidcVerifier {
  private readonly logger = new Logger(OidcVerifier.name);
  private jwks: Promise<JwksFunction> | undefined;

  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.oidc !== undefined;
  }

  /** API keys start with `rip_`; anything shaped like a JWT is a sign-in token. */
  isToken(bearer: string): boolean {
    return this.enabled && JWT_SHAPE.test(bearer);
  }

  async verify(token: string): Promise<Principal> {
    const oidc = this.config.oidc;
    if (!oidc)
      throw new RiposteError(
        'unauthenticated',
        'Sign-in tokens are not accepted by this service (RIPOSTE_OIDC_ISSUER is not set); send an API key.',
        'unauthenticated',
      );
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keySet(), {
        issuer: oidc.issuer,
        audience: oidc.audiences,
        algorithms: ['RS256'],
        clockTolerance: 60,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      if (error instanceof RiposteError) throw error;
      // Not the token's fault: the keys could not be fetched (network, timeout, a bad key set).
      if (
        error instanceof errors.JWKSTimeout ||
        error instanceof errors.JWKSInvalid ||
        !(error instanceof errors.JOSEError)
      ) {
        this.logger.error(`Could not fetch the signing keys of ${oidc.issuer}: ${(error as Error).message}`);
        throw UNAVAILABLE;
      }
      throw new RiposteError('unauthenticated', `The sign-in token was refused: ${reason(error)}.`, 'invalid_token');
    }
    // An ID token has neither: it proves who signed in to an app, not that they may call this API.
    if (typeof payload.azp !== 'string' && typeof payload.appid !== 'string')
      throw new RiposteError(
        'unauthenticated',
        'The sign-in token was refused: it is not an access token (no azp or appid claim); request one for this API.',
        'invalid_token',
      );
    const name =
      firstString(payload.preferred_username, payload.upn, payload.email, payload.oid, payload.sub) ?? 'unknown user';
    const claimed = payload[oidc.roleClaim];
    const roles = (Array.isArray(claimed) ? claimed : typeof claimed === 'string' ? claimed.split(' ') : []).flatMap(
      (value) => (typeof value === 'string' && oidc.roles[value] ? [oidc.roles[value]] : []),
    );
    const role = LADDER.filter((r) => roles.some((held) => roleAllows(held, r))).at(-1);
    if (!role) {
      throw new RiposteError(
        'forbidden',
        `${name} signed in, but the token carries none of the app roles ${Object.keys(oidc.roles).join(', ')} (claim '${oidc.roleClaim}'); an Entra ID admin assigns them under Enterprise applications.`,
        'no_role',
      );
    }
    return {
      id: `oidc:${firstString(payload.tid) ?? ''}:${firstString(payload.oid, payload.sub) ?? name}`,
      name,
      role,
      kind: 'user',
    };
  }

  /** The issuer's key set, from RIPOSTE_OIDC_JWKS_URI or the issuer's discovery document. */
  private keySet(): Promise<JwksFunction> {
    this.jwks ??= this.discover().catch((error: unknown) => {
      this.jwks = undefined;
      this.logger.error(`Could not find the signing keys of ${this.config.oidc?.issuer}: ${(error as Error).message}`);
      throw UNAVAILABLE;
    });
    return this.jwks;
  }

  private async discover(): Promise<JwksFunction> {
    const oidc = this.config.oidc as NonNullable<AppConfig['oidc']>;
    let uri = oidc.jwksUri;
    if (!uri) {
      const response = await fetch(`${oidc.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(10_000),
        redirect: 'error',
      });
      if (!response.ok) throw new Error(`the discovery document answered ${response.status}`);
      const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (document.issuer !== oidc.issuer)
        throw new Error(`the discovery document names issuer ${String(document.issuer)}, not ${oidc.issuer}`);
      if (typeof document.jwks_uri !== 'string' || !document.jwks_uri.startsWith('https://'))
        throw new Error('the discovery document has no https jwks_uri');
      uri = document.jwks_uri;
    }
    return createRemoteJWKSet(new URL(uri), {
      timeoutDuration: 10_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 3_600_000,
    });
  }
}

const UNAVAILABLE = new RiposteError(
  'unavailable',
  'Sign-in tokens cannot be checked right now: the identity provider’s keys could not be fetched. API keys still work.',
  'oidc_unavailable',
);

function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'it has expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return `its '${error.claim}' claim is not what this service expects (${error.reason})`;
  if (error instanceof errors.JWKSNoMatchingKey) return 'it is signed with a key the issuer does not publish';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'its signature does not verify';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'it is not signed with RS256';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'it is not a well-formed JWT';
  return 'it could not be verified';
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v.length > 0);
}
