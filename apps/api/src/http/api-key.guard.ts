import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { Reflector } from '@nestjs/core';
import { AuditLog } from '@riposte/audit';
import { AppConfig } from '@riposte/config';
import { ApiKeysService, OidcVerifier, type Principal, type Role, roleAllows } from '@riposte/auth';
import { WebhookReplays, WebhookVerifier } from '@riposte/alerts';
import { RiposteError, TooManyRequestsError } from '@riposte/errors';
import { Metrics } from '@riposte/observability';
import type { RiposteRequest } from './request-context.js';
import { PUBLIC_IF_KEY, PUBLIC_KEY, ROLE_KEY, SIGNED_WEBHOOK_KEY } from './route-metadata.js';

const AUTH_FAILURE_WINDOW_SECONDS = 60;

const WEBHOOK_PRINCIPAL = { id: 'webhook', name: 'signed webhook', role: 'ingest' as const, kind: 'system' as const };

/**
 * Every route needs a caller (an API key, or a person's sign-in token when OIDC is on) with a
 * role at least the one the route requires; a route that declares no role is refused, so a
 * forgotten decorator fails closed.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger('Auth');
  private readonly webhooks: WebhookVerifier | undefined;
  /** Failed authentications per client address; past the limit, the client waits out the window. */
  private readonly failures: RateLimiterMemory;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    private readonly oidc: OidcVerifier,
    private readonly audit: AuditLog,
    private readonly config: AppConfig,
    private readonly replays: WebhookReplays,
    private readonly metrics: Metrics,
  ) {
    this.webhooks = config.webhookSecret ? new WebhookVerifier(config.webhookSecret) : undefined;
    this.failures = new RateLimiterMemory({
      points: config.authFailuresPerMinute,
      duration: AUTH_FAILURE_WINDOW_SECONDS,
      keyPrefix: 'auth-failures',
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const publicIf = this.reflector.get<'metricsPublic' | undefined>(PUBLIC_IF_KEY, context.getHandler());
    if (publicIf && this.config[publicIf]) return true;
    const required = this.reflector.getAllAndOverride<Role | undefined>(ROLE_KEY, targets);
    const request = context.switchToHttp().getRequest<RiposteRequest>();
    // A client that failed too often waits before any credential of it is checked again.
    const slowed = await this.failures.get(request.ip);
    if (slowed && slowed.consumedPoints > this.config.authFailuresPerMinute) {
      this.metrics.authFailures.inc({ reason: 'slowed_down' });
      throw new TooManyRequestsError(
        `Too many failed authentications from this client; try again in ${Math.ceil(slowed.msBeforeNext / 1000)} s.`,
        Math.ceil(slowed.msBeforeNext / 1000),
        'too_many_failed_authentications',
      );
    }
    try {
      return await this.check(request, required, context);
    } catch (error) {
      if (error instanceof RiposteError && error.kind === 'unauthenticated') await this.failed(request, error);
      throw error;
    }
  }

  /** Logged (never the key), counted, and charged to the client's address. */
  private async failed(request: RiposteRequest, error: RiposteError): Promise<void> {
    const reason =
      error.code === 'bad_signature'
        ? 'bad_signature'
        : error.message.includes('expired')
          ? 'expired_key'
          : error.code === 'invalid_token'
            ? 'bad_token'
            : request.headers.authorization
              ? 'unknown_key'
              : 'missing';
    this.metrics.authFailures.inc({ reason });
    let left: number | null = null;
    try {
      left = (await this.failures.consume(request.ip)).remainingPoints;
    } catch (limited) {
      if (!(limited instanceof RateLimiterRes)) throw limited;
      left = 0;
    }
    this.logger.warn(
      {
        requestId: request.id,
        client: request.ip,
        method: request.method,
        path: request.url.split('?')[0],
        reason,
        attemptsLeft: left,
      },
      `authentication failed: ${reason}`,
    );
  }

  private async check(
    request: RiposteRequest,
    required: Role | undefined,
    context: ExecutionContext,
  ): Promise<boolean> {
    const signature = request.headers['x-riposte-signature'];
    if (
      signature !== undefined &&
      !request.headers.authorization &&
      this.reflector.get<boolean>(SIGNED_WEBHOOK_KEY, context.getHandler())
    ) {
      if (!this.webhooks)
        throw new RiposteError(
          'unauthenticated',
          'Signed webhooks are not enabled on this service: set RIPOSTE_WEBHOOK_SECRET, or send an API key.',
          'unauthenticated',
        );
      const problem = this.webhooks.verify(
        firstHeader(request.headers['x-riposte-timestamp']),
        firstHeader(signature),
        request.rawBody ?? Buffer.alloc(0),
      );
      if (problem)
        throw new RiposteError('unauthenticated', `The webhook signature was refused: ${problem}.`, 'bad_signature');
      // The verifier remembers signatures in memory; the database remembers them across restarts and processes.
      if (!(await this.replays.accept(firstHeader(signature)!)))
        throw new RiposteError(
          'unauthenticated',
          'The webhook signature was refused: this signed request was already received (replay).',
          'bad_signature',
        );
      request.principal = WEBHOOK_PRINCIPAL;
      return true;
    }

    const principal = await this.authenticate(request.headers.authorization);
    request.principal = principal;

    if (!required || !roleAllows(principal.role, required)) {
      if (request.method !== 'GET') {
        await this.audit.record({
          actor: principal.name,
          actorRole: principal.role,
          action: `${request.method} ${request.routeOptions.url ?? request.url}`,
          result: 'denied',
          requestId: String(request.id),
          detail: { required: required ?? null },
        });
      }
      throw new RiposteError(
        'forbidden',
        required
          ? `This needs the ${required} role; ${principal.kind === 'user' ? `${principal.name} has` : `the key '${principal.name}' has`} ${principal.role}.`
          : 'This route is not open to API keys.',
        'forbidden',
      );
    }
    return true;
  }

  private async authenticate(header: string | undefined): Promise<Principal> {
    const bearer =
      typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : undefined;
    if (!bearer)
      throw new RiposteError(
        'unauthenticated',
        `This route needs an API key${this.oidc.enabled ? ' or a sign-in token' : ''}: send Authorization: Bearer <key>.`,
        'unauthenticated',
      );
    if (this.oidc.isToken(bearer)) return this.oidc.verify(bearer);
    const result = await this.keys.authenticate(bearer);
    if ('refused' in result) throw new RiposteError('unauthenticated', result.refused, 'unauthenticated');
    return result.principal;
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
