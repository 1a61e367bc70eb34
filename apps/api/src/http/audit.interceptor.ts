import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, from, type Observable, switchMap, throwError, map } from 'rxjs';
import { AuditLog, type AuditEntry } from '@riposte/audit';
import { toProblem } from './problem-details.js';
import type { RiposteRequest } from './request-context.js';
import { AUDIT_KEY } from './route-metadata.js';

/** Every call that changes something is recorded: who, with which role, what, to what, with what result. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<RiposteRequest>();
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return next.handle();
    const action =
      this.reflector.get<string>(AUDIT_KEY, context.getHandler()) ??
      `${request.method} ${request.routeOptions.url ?? request.url}`;
    const params = (request.params ?? {}) as Record<string, string>;
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
    const entry = (
      result: AuditEntry['result'],
      detail: Record<string, unknown>,
      response?: Record<string, unknown>,
    ): AuditEntry => ({
      actor: request.principal?.name ?? 'anonymous',
      actorRole: request.principal?.role ?? 'none',
      action,
      result,
      targetEntity: params.name ?? params.id ?? (typeof body.name === 'string' ? body.name : null),
      connectionTarget:
        typeof body.connectionTarget === 'string'
          ? body.connectionTarget
          : action.startsWith('connection_target')
            ? (params.name ?? (body.name as string | undefined) ?? null)
            : null,
      runId:
        typeof response?.runId === 'string' ? response.runId : action.startsWith('run.') ? (params.id ?? null) : null,
      requestId: String(request.id),
      detail: { method: request.method, path: request.url.split('?')[0], ...said(body), ...detail },
    });

    return next.handle().pipe(
      switchMap((response: unknown) =>
        from(this.audit.record(entry('success', {}, response as Record<string, unknown>))).pipe(map(() => response)),
      ),
      catchError((error: unknown) => {
        const problem = toProblem(error, undefined);
        return from(this.audit.record(entry('failure', { status: problem.status, code: problem.code }))).pipe(
          switchMap(() => throwError(() => error)),
        );
      }),
    );
  }
}

/** What a person said with a change (why, and what they decided) goes on the record; nothing else of the body does. */
const SAID = ['reason', 'comment', 'decision', 'enabled'] as const;

function said(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of SAID) {
    const value = body[field];
    if (typeof value === 'string') out[field] = value.slice(0, 2000);
    else if (typeof value === 'boolean') out[field] = value;
  }
  return out;
}
