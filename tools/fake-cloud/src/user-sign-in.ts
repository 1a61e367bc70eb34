import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';

export interface UserSignInInput {
  tenantId: string;
  /** The API the token is for (the `aud` claim): the Riposte app registration's client id or App ID URI. */
  audience: string;
  upn: string;
  objectId?: string;
  name?: string;
  /** App roles assigned to the user on the Riposte app registration (the `roles` claim). */
  roles?: string[];
  lifetimeSeconds?: number;
  /** Overrides for tests of bad tokens (another issuer, an expired `exp`, …). */
  claims?: Record<string, unknown>;
}

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

const AZURE_CLI_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * What an interactive sign-in to Entra ID would hand a person's browser or CLI: a v2.0 access
 * token for an API, RS256-signed with a key published at the tenant's `discovery/v2.0/keys`.
 * Keys are generated on first use and can be rotated like Entra rotates its own.
 */
export class UserSignIn {
  private keys: SigningKey[] = [];

  constructor(private readonly origin: string) {}

  /** The public keys, as the JWKS endpoint serves them. */
  jwks(): Record<string, unknown>[] {
    return this.keys.map((k) => k.publicJwk);
  }

  signIn(input: UserSignInInput): string {
    const now = Math.floor(Date.now() / 1000);
    const objectId = input.objectId ?? randomUUID();
    const claims = {
      aud: input.audience,
      // The client the person signed in with (here the Azure CLI's well-known id).
      azp: AZURE_CLI_CLIENT_ID,
      iss: `${this.origin}/${input.tenantId}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + (input.lifetimeSeconds ?? 3600),
      name: input.name ?? input.upn,
      oid: objectId,
      preferred_username: input.upn,
      roles: input.roles ?? [],
      sub: objectId,
      tid: input.tenantId,
      uti: randomUUID().replaceAll('-', ''),
      ver: '2.0',
      ...input.claims,
    };
    return this.sign(claims);
  }

  /** Any claims as an RS256 JWT signed with the tenant's current key (access and ID tokens alike). */
  sign(claims: Record<string, unknown>): string {
    const key = this.current();
    const signingInput = `${b64url({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${b64url(claims)}`;
    return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key.privateKey).toString('base64url')}`;
  }

  /** A new signing key replaces the old one: tokens signed before no longer verify. */
  rotate(): void {
    this.keys = [newKey()];
  }

  private current(): SigningKey {
    if (this.keys.length === 0) this.rotate();
    return this.keys[0] as SigningKey;
  }
}

function newKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return {
    kid,
    privateKey: createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })),
    publicJwk: { kty: 'RSA', use: 'sig', kid, n: jwk.n, e: jwk.e },
  };
}
