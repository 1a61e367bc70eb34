import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { RiposteError } from '@riposte/errors';
import type { RiposteRequest } from './request-context.js';

export const MAX_BODY_BYTES = 1024 * 1024;
/** Alerts come in batches (`{ "value": [...] }` as Graph lists them). */
export const MAX_ALERT_BODY_BYTES = 5 * 1024 * 1024;
/**
 * Playbooks are parsed and compiled on the event loop: one of this size takes a few hundred ms on
 * a busy machine, a megabyte seconds. Real ones (at most 500 steps) are far smaller.
 */
export const MAX_PLAYBOOK_BYTES = 256 * 1024;
/** JSON bodies nest no deeper than playbooks may (validators and the redactor recurse). */
export const MAX_JSON_DEPTH = 64;

const isPlaybookUpload = (method: string, url: string) =>
  url.startsWith('/api/v1/playbooks') &&
  (method === 'PUT' || (method === 'POST' && url.split('?')[0] === '/api/v1/playbooks/validate'));
const limitFor = (method: string, url: string) =>
  isPlaybookUpload(method, url)
    ? MAX_PLAYBOOK_BYTES
    : url.startsWith('/api/v1/alerts')
      ? MAX_ALERT_BODY_BYTES
      : MAX_BODY_BYTES;

function tooLarge(method: string, url: string, limit: number): RiposteError {
  if (isPlaybookUpload(method, url))
    return new RiposteError(
      'payload_too_large',
      `The playbook is larger than ${limit / 1024} KB; split it into playbooks that call each other.`,
      'playbook_too_large',
    );
  return new RiposteError(
    'payload_too_large',
    `The request body is larger than ${limit / 1024 / 1024} MB.`,
    'payload_too_large',
  );
}

/**
 * Fastify enforces the largest limit while reading; these hooks hold every other route to its
 * own, by the declared length before reading and by the actual length after (before any handler
 * parses a playbook).
 */
export function installBodyLimits(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', async (request) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    const limit = limitFor(request.method, request.url);
    if (declared > limit) throw tooLarge(request.method, request.url, limit);
  });
  fastify.addHook('preHandler', async (request) => {
    const limit = limitFor(request.method, request.url);
    const raw = (request as RiposteRequest).rawBody;
    const size = raw?.length ?? (typeof request.body === 'string' ? Buffer.byteLength(request.body) : 0);
    if (size > limit) throw tooLarge(request.method, request.url, limit);
  });
}

const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain']);
const JSON_TYPE = /^application\/([a-z0-9.-]+\+)?json$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `type/subtype` in lower case and the charset parameter, from a Content-Type header (RFC 9110 8.3). */
export function parseMediaType(header: string | undefined): { type: string; charset: string | null } {
  const [type = '', ...parameters] = (header ?? '').split(';');
  let charset: string | null = null;
  for (const parameter of parameters) {
    const eq = parameter.indexOf('=');
    if (eq > 0 && parameter.slice(0, eq).trim().toLowerCase() === 'charset')
      charset = parameter
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
  }
  return { type: type.trim().toLowerCase(), charset };
}

/**
 * The body parsers: JSON (keeping the raw bytes, which idempotency keys and webhook signatures
 * hash), with Fastify's guard against `__proto__` and `constructor` keys and a nesting limit;
 * YAML and plain text as strings for the playbook loader. Media types are matched without their
 * parameters; the bytes must be UTF-8 (and say so, if they name a charset). Nothing else is
 * accepted (415).
 */
export function installBodyParsers(fastify: FastifyInstance): void {
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_ALERT_BODY_BYTES }, (request, body, done) => {
    const raw = body as Buffer;
    const { type, charset } = parseMediaType(request.headers['content-type']);
    const json = JSON_TYPE.test(type);
    if (!json && !YAML_TYPES.has(type))
      return done(
        new RiposteError(
          'unsupported_media_type',
          `Content-Type '${type || '(none)'}' is not accepted: send JSON (application/json), or YAML (application/yaml) where the endpoint takes a playbook.`,
          'unsupported_media_type',
        ),
        undefined,
      );
    if (charset !== null && charset !== 'utf-8' && charset !== 'utf8')
      return done(
        new RiposteError(
          'unsupported_media_type',
          `charset=${charset} is not accepted: send UTF-8.`,
          'unsupported_charset',
        ),
        undefined,
      );
    (request as RiposteRequest).rawBody = raw;
    parseBody(raw, json).then(
      (parsed) => done(null, parsed),
      (error: unknown) => done(error as Error, undefined),
    );
  });
}

/** Bodies over this size are decoded and scanned a slice per turn of the event loop, so that other requests are answered meanwhile. */
const SLICE_BYTES = 256 * 1024;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The body as text (YAML, plain text) or as parsed JSON; a RiposteError says what is wrong with it. */
async function parseBody(raw: Buffer, json: boolean): Promise<unknown> {
  const text = await decodeUtf8(raw);
  if (!json) return text;
  if (text.length === 0)
    throw new RiposteError('validation', 'The body is empty but Content-Type says JSON.', 'invalid_json');
  const scan: NestingScan = { depth: 0, inString: false, at: 0 };
  for (let end = SLICE_BYTES; ; end += SLICE_BYTES) {
    const deep = nestedBeyond(text, MAX_JSON_DEPTH, scan, Math.min(end, text.length));
    if (deep !== null)
      throw new RiposteError(
        'validation',
        `The body nests deeper than ${MAX_JSON_DEPTH} levels (at character ${deep}).`,
        'too_deep',
        [{ path: '', message: `nests deeper than ${MAX_JSON_DEPTH} levels` }],
      );
    if (scan.at >= text.length) break;
    await nextTurn();
  }
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    throw new RiposteError('validation', `The body is not valid JSON: ${(error as Error).message}.`, 'invalid_json');
  }
}

/** Strict UTF-8 (a bad byte is a 400, never replaced); a large body a slice per turn. */
async function decodeUtf8(raw: Buffer): Promise<string> {
  try {
    if (raw.length <= SLICE_BYTES) return utf8.decode(raw);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const parts: string[] = [];
    for (let start = 0; start < raw.length; start += SLICE_BYTES) {
      // Streaming: a character split between two slices is decoded with the second.
      parts.push(decoder.decode(raw.subarray(start, start + SLICE_BYTES), { stream: true }));
      await nextTurn();
    }
    parts.push(decoder.decode());
    return parts.join('');
  } catch {
    throw new RiposteError(
      'validation',
      `The body is not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8(raw)}).`,
      'invalid_utf8',
      [{ path: '', message: 'is not valid UTF-8' }],
    );
  }
}

/** Where a nesting scan stands: it goes on from `at` in the next slice. */
interface NestingScan {
  depth: number;
  inString: boolean;
  at: number;
}

/** The offset of the first array or object opened beyond `limit` levels before `end`, or null; no recursion. */
function nestedBeyond(text: string, limit: number, scan: NestingScan, end: number): number | null {
  let { depth, inString } = scan;
  let i = scan.at;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character (perhaps the first of the next slice)
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  Object.assign(scan, { depth, inString, at: i });
  return null;
}

/** Where decoding fails: the shortest prefix that does not decode, found by bisection. */
function firstInvalidUtf8(raw: Buffer): number {
  let good = 0;
  let bad = raw.length;
  while (bad - good > 1) {
    const mid = (good + bad) >> 1;
    try {
      // A prefix may end inside a valid sequence: decode in streaming mode, which allows that.
      new TextDecoder('utf-8', { fatal: true }).decode(raw.subarray(0, mid), { stream: true });
      good = mid;
    } catch {
      bad = mid;
    }
  }
  return good;
}
