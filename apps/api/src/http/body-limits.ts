import type { FastifyInstance } from 'fastify';
import { RiposteError } from '@riposte/errors';
import type { RiposteRequest } from './request-context.js';

export const MAX_BODY_BYTES = 1024 * 1024;
/** Alerts come in batches (`{ "value": [...] }` as Graph lists them). */
export const MAX_ALERT_BODY_BYTES = 5 * 1024 * 1024;

const limitFor = (url: string) => (url.startsWith('/api/v1/alerts') ? MAX_ALERT_BODY_BYTES : MAX_BODY_BYTES);

/**
 * Fastify enforces the largest limit while reading; these hooks hold every other route to 1 MB,
 * by the declared length before reading and by the actual length after.
 */
export function installBodyLimits(fastify: FastifyInstance): void {
  const tooLarge = (limit: number) => new RiposteError('payload_too_large', `The request body is larger than ${limit / 1024 / 1024} MB.`, 'payload_too_large');
  fastify.addHook('onRequest', async (request) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    const limit = limitFor(request.url);
    if (declared > limit) throw tooLarge(limit);
  });
  fastify.addHook('preHandler', async (request) => {
    const limit = limitFor(request.url);
    const raw = (request as RiposteRequest).rawBody;
    const size = raw?.length ?? (typeof request.body === 'string' ? Buffer.byteLength(request.body) : 0);
    if (size > limit) throw tooLarge(limit);
  });
}

/** Playbooks may be sent as YAML; the YAML loader parses them, not Fastify. */
export function installTextBodies(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
}
