import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader } from '@nestjs/swagger';
import type { Role } from '@riposte/auth';

export const ROLE_KEY = 'riposte:role';
export const PUBLIC_KEY = 'riposte:public';
export const AUDIT_KEY = 'riposte:audit';
export const IDEMPOTENT_KEY = 'riposte:idempotent';

/** The least role a caller needs. Every route declares one (or `@Public()`): a route without is refused. */
export const RequireRole = (role: Role) => applyDecorators(SetMetadata(ROLE_KEY, role), ApiBearerAuth());

/** Open to anyone (health). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Open to anyone when the named boolean setting is on (metrics, for scrapers without a key). */
export const PUBLIC_IF_KEY = 'riposte:public-if';
export const PublicIf = (setting: 'metricsPublic') => SetMetadata(PUBLIC_IF_KEY, setting);

/** Also accepts requests signed with the webhook secret (X-Riposte-Signature) instead of a key. */
export const SIGNED_WEBHOOK_KEY = 'riposte:signed-webhook';
export const AcceptsSignedWebhooks = () =>
  applyDecorators(
    SetMetadata(SIGNED_WEBHOOK_KEY, true),
    ApiHeader({
      name: 'X-Riposte-Signature',
      required: false,
      description:
        'sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with RIPOSTE_WEBHOOK_SECRET>, instead of an API key.',
    }),
    ApiHeader({
      name: 'X-Riposte-Timestamp',
      required: false,
      description: 'Unix time in seconds; must be within 5 minutes.',
    }),
  );

/** Names the audit record of a mutating route (default: method and path). */
export const Audited = (action: string) => SetMetadata(AUDIT_KEY, action);

/** Honours the Idempotency-Key header. */
export const Idempotent = () =>
  applyDecorators(
    SetMetadata(IDEMPOTENT_KEY, true),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'The same key with the same body returns the first answer and starts nothing new; with a different body, 409.',
    }),
  );
