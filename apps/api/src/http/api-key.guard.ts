import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuditLog } from '@riposte/audit';
import { AppConfig } from '@riposte/config';
import { ApiKeysService, OidcVerifier, type Principal, type Role, roleAllows } from '@riposte/auth';
import { WebhookVerifier } from '@riposte/alerts';
import { RiposteError } from '@riposte/errors';
import type { RiposteRequest } from './request-context.js';
import { PUBLIC_IF_KEY, PUBLIC_KEY, ROLE_KEY, SIGNED_WEBHOOK_KEY } from './route-metadata.js';

const WEBHOOK_PRINCIPAL = { id: 'webhook', name: 'signed webhook', role: 'ingest' as const, kind: 'system' as const };

/**
 * Every route needs a caller (an API key, or a person's sign-in token when OIDC is on) with a
 * role at least the one the route requires; a route that declares no role is refused, so a
 * forgotten decorator fails closed.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly webhooks: WebhookVerifier | undefined;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly oidc: OidcVerifier,
    private readonly audit: AuditLog,
    private readonly config: AppConfig,
  ) {
    this.webhooks = config.webhookSecret ? new WebhookVerifier(config.webhookSecret) : undefined;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const publicIf = this.reflector.get<'metricsPublic' | undefined>(PUBLIC_IF_KEY, context.getHandler());
    if (publicIf && this.config[publicIf]) return true;
    const required = this.reflector.getAllAndOverride<Role | undefined>(ROLE_KEY, targets);
    const request = context.switchToHttp().getRequest<RiposteRequest>();

    const signature = request.headers['x-riposte-signature'];
    if (signature !== undefined && !request.headers.authorization && this.reflector.get<boolean>(SIGNED_WEBHOOK_KEY, context.getHandler())) {
      if (!this.webhooks) throw new RiposteError('unauthenticated', 'Signed webhooks are not enabled on this service: set RIPOSTE_WEBHOOK_SECRET, or send an API key.', 'unauthenticated');
      const problem = this.webhooks.verify(firstHeader(request.headers['x-riposte-timestamp']), firstHeader(signature), request.rawBody ?? Buffer.alloc(0));
      if (problem) throw new RiposteError('unauthenticated', `The webhook signature was refused: ${problem}.`, 'bad_signature');
      request.principal = WEBHOOK_PRINCIPAL;
      return true;
    }

    const principal = await this.authenticate(request.headers.authorization);
    request.principal = principal;

    if (!required || !roleAllows(principal.role, required)) {
      if (request.method !== 'GET') {
        await this.audit.record({ actor: principal.name, actorRole: principal.role, action: `${request.method} ${request.routeOptions.url ?? request.url}`, result: 'denied', requestId: String(request.id), detail: { required: required ?? null } });
      }
      throw new RiposteError('forbidden', required ? `This needs the ${required} role; ${principal.kind === 'user' ? `${principal.name} has` : `the key '${principal.name}' has`} ${principal.role}.` : 'This route is not open to API keys.', 'forbidden');
    }
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Principal> {
    const bearer = typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : undefined;
    if (!bearer) throw new RiposteError('unauthenticated', `This route needs an API key${this.oidc.enabled ? ' or a sign-in token' : ''}: send Authorization: Bearer <key>.`, 'unauthenticated');
    if (this.oidc.isToken(bearer)) return this.oidc.verify(bearer);
    const principal = await this.keys.authenticate(bearer);
    if (!principal) throw new RiposteError('unauthenticated', 'The API key is not valid (unknown or revoked).', 'unauthenticated');
    return principal;
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
