import { createHash, randomUUID } from 'node:crypto';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { catchError, from, type Observable, of, switchMap, throwError } from 'rxjs';
import { ConflictError, ValidationError } from '@riposte/errors';
import { Database, IdempotencyRecordEntity, nowIso } from '@riposte/persistence';
import type { RiposteRequest } from './request-context.js';
import { IDEMPOTENT_KEY } from './route-metadata.js';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on POSTs that start work. The first request with a key reserves it (one
 * row per caller and key, unique in the database, so concurrent duplicates cannot both pass);
 * its answer is stored as it is sent (`installIdempotencyHook`). The same key and body again
 * get that answer back and start nothing; the same key with another body gets 409.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly db: Database,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.reflector.get<boolean>(IDEMPOTENT_KEY, context.getHandler())) return next.handle();
    const request = context.switchToHttp().getRequest<RiposteRequest>();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || !KEY_FORMAT.test(key))
      throw new ValidationError('Idempotency-Key must be 1 to 255 visible ASCII characters.', [
        { path: 'Idempotency-Key', message: 'is not a valid key' },
      ]);
    const principal = request.principal?.id ?? 'anonymous';
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n`)
      .update(request.rawBody ?? JSON.stringify(request.body ?? null))
      .digest('hex');

    return from(this.reserve(principal, key, requestHash)).pipe(
      switchMap((reservation) => {
        if ('replay' in reservation) {
          const reply = context.switchToHttp().getResponse<FastifyReply>();
          void reply.status(reservation.replay.status ?? 200).header('Idempotent-Replayed', 'true');
          return of(reservation.replay.response);
        }
        request.idempotencyRecordId = reservation.reserved;
        return next.handle().pipe(
          // A failed attempt frees the key, so the caller can correct the request and try again.
          catchError((error: unknown) =>
            from(this.release(reservation.reserved)).pipe(switchMap(() => throwError(() => error))),
          ),
        );
      }),
    );
  }

  private async reserve(
    principal: string,
    key: string,
    requestHash: string,
  ): Promise<{ replay: IdempotencyRecordEntity } | { reserved: string }> {
    try {
      return await this.tryReserve(principal, key, requestHash);
    } catch (error) {
      // A concurrent duplicate reserved the key between our read and our insert (possible when
      // transactions run side by side, as on PostgreSQL): read again, it is there now.
      if (!Database.isUniqueViolation(error)) throw error;
      return this.tryReserve(principal, key, requestHash);
    }
  }

  private tryReserve(
    principal: string,
    key: string,
    requestHash: string,
  ): Promise<{ replay: IdempotencyRecordEntity } | { reserved: string }> {
    return this.db.transaction(async (m) => {
      const existing = await m.findOne(IdempotencyRecordEntity, { where: { principal, key } });
      if (existing) {
        if (existing.requestHash !== requestHash)
          throw new ConflictError(
            'This Idempotency-Key was already used with a different request.',
            'idempotency_key_reused',
          );
        if (existing.status === null)
          throw new ConflictError(
            'A request with this Idempotency-Key is still being processed; retry shortly.',
            'idempotency_in_progress',
          );
        return { replay: existing };
      }
      const id = randomUUID();
      await m.insert(IdempotencyRecordEntity, {
        id,
        principal,
        key,
        requestHash,
        status: null,
        response: null,
        createdAt: nowIso(),
      } as never);
      return { reserved: id };
    });
  }

  private release(id: string): Promise<unknown> {
    return this.db.transaction((m) => m.delete(IdempotencyRecordEntity, { id }));
  }
}

/** Stores the answer of a request that reserved an idempotency key, as it is sent. */
export function installIdempotencyHook(fastify: FastifyInstance, db: Database): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    const id = (request as RiposteRequest).idempotencyRecordId;
    if (!id) return payload;
    if (reply.statusCode >= 400) {
      await db.transaction((m) => m.delete(IdempotencyRecordEntity, { id }));
      return payload;
    }
    let response: unknown = null;
    try {
      response = typeof payload === 'string' && payload ? JSON.parse(payload) : null;
    } catch {
      response = payload;
    }
    await db.transaction((m) =>
      m.update(IdempotencyRecordEntity, { id }, { status: reply.statusCode, response: response as never }),
    );
    return payload;
  });
}
