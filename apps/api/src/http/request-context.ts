import type { FastifyRequest } from 'fastify';
import type { Principal } from '@riposte/auth';

/** What the HTTP layer attaches to a request on its way in. */
export interface RiposteRequest extends FastifyRequest {
  principal?: Principal;
  rawBody?: Buffer;
  /** Set by the idempotency interceptor: the record to complete when the answer is sent. */
  idempotencyRecordId?: string;
}
