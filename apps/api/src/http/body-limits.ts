import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
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

/**
 * The body parsers: JSON (keeping the raw bytes, which idempotency keys and webhook signatures
 * hash), with Fastify's guard against `__proto__` and `constructor` keys; YAML and plain text
 * as strings for the playbook loader. Nothing else is accepted (415).
 */
export function installBodyParsers(fastify: FastifyInstance): void {
  // application/json and the +json types (application/problem+json, …).
  fastify.addContentTypeParser(/^application\/([a-z0-9.-]+\+)?json$/, { parseAs: 'buffer', bodyLimit: MAX_ALERT_BODY_BYTES }, (request, body, done) => {
    const raw = body as Buffer;
    (request as RiposteRequest).rawBody = raw;
    if (raw.length === 0) return done(new RiposteError('validation', 'The body is empty but Content-Type says JSON.', 'invalid_json'), undefined);
    try {
      done(null, secureJson.parse(raw, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      done(new RiposteError('validation', `The body is not valid JSON: ${(error as Error).message}.`, 'invalid_json'), undefined);
    }
  });
  fastify.addContentTypeParser(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) => done(null, body));
}
