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

/** Names the audit record of a mutating route (default: method and path). */
export const Audited = (action: string) => SetMetadata(AUDIT_KEY, action);

/** Honours the Idempotency-Key header. */
export const Idempotent = () =>
  applyDecorators(
    SetMetadata(IDEMPOTENT_KEY, true),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'The same key with the same body returns the first answer and starts nothing new; with a different body, 409.' }),
  );
