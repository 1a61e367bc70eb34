/**
 * The one redaction layer. The logger, run history, error messages and the audit log all pass
 * what they write through it. It removes values by the name of their field (clientSecret,
 * authorization, …), by their shape (bearer tokens, JWTs, private keys, our API keys, OAuth
 * form fields) and by their actual value: every stored secret is registered here when it is
 * decrypted, so it is scrubbed even if it turns up inside some unrelated text.
 */
export const REDACTED = '[REDACTED]';

const SENSITIVE_FIELDS = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'xapikey',
  'apikey',
  'clientsecret',
  'secret',
  'password',
  'passphrase',
  'privatekey',
  'privatekeypem',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'token',
  'clientassertion',
  'assertion',
  'encryptionkey',
  'secretciphertext',
  'xripostesignature',
  'signature',
]);

/**
 * Secrets by shape. Each pattern lists its triggers, pieces of text of which every match contains
 * one (in any case): a string with no trigger at all is returned as it is, without running the
 * patterns (most strings a run writes: ids, names, times).
 */
const PATTERNS: { triggers: string[]; pattern: RegExp; replacement: string }[] = [
  {
    triggers: ['-----BEGIN'],
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    replacement: REDACTED,
  },
  {
    triggers: ['bearer', 'basic'],
    pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi,
    replacement: `$1 ${REDACTED}`,
  },
  { triggers: ['eyJ'], pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, replacement: REDACTED },
  {
    triggers: ['client_secret=', 'client_assertion=', 'access_token=', 'refresh_token=', 'password='],
    pattern: /\b(client_secret|client_assertion|access_token|refresh_token|password)=[^&\s"']+/gi,
    replacement: `$1=${REDACTED}`,
  },
  { triggers: ['rip_'], pattern: /\brip_[A-Za-z0-9]{16,}/g, replacement: `rip_${REDACTED}` },
];

/** True when a text holds at least one trigger (case-insensitive: a superset of what the patterns match). */
const MAY_HOLD_SHAPE = new RegExp(
  PATTERNS.flatMap((p) => p.triggers)
    .map((trigger) => trigger.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|'),
  'i',
);

/** Field names seen, normalised and looked up once each (a run writes the same few names again and again). */
const SENSITIVE_CACHE_LIMIT = 10_000;

const MIN_REGISTERED_LENGTH = 8;
const MAX_DEPTH = 12;

export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly sensitive = new Map<string, boolean>();

  /** Scrub this exact value wherever it appears from now on. */
  register(secret: string | null | undefined): void {
    if (secret && secret.length >= MIN_REGISTERED_LENGTH) this.secrets.add(secret);
  }

  forget(secret: string | null | undefined): void {
    if (secret) this.secrets.delete(secret);
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    if (!MAY_HOLD_SHAPE.test(out)) return out;
    for (const { pattern, replacement } of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  }

  /** A redacted deep copy: safe to log, store or return. */
  redact<T>(value: T): T {
    return this.walk(value, 0, new WeakSet()) as T;
  }

  isSensitiveField(name: string): boolean {
    let known = this.sensitive.get(name);
    if (known === undefined) {
      known = SENSITIVE_FIELDS.has(name.toLowerCase().replace(/[^a-z0-9]/g, ''));
      if (this.sensitive.size >= SENSITIVE_CACHE_LIMIT) this.sensitive.clear();
      this.sensitive.set(name, known);
    }
    return known;
  }

  private walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.scrub(value);
    if (value === null || typeof value !== 'object') return value;
    if (depth > MAX_DEPTH) return '[TRUNCATED]';
    if (seen.has(value)) return '[CIRCULAR]';
    seen.add(value);
    if (value instanceof Error) {
      return {
        name: value.name,
        message: this.scrub(value.message),
        ...(this.walk({ ...value }, depth + 1, seen) as object),
      };
    }
    if (Array.isArray(value)) return value.map((item) => this.walk(item, depth + 1, seen));
    if (value instanceof Date) return value.toISOString();
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] =
        this.isSensitiveField(key) && item !== null && item !== undefined && typeof item !== 'boolean'
          ? redactedValue(item)
          : this.walk(item, depth + 1, seen);
    }
    return out;
  }
}

/** Keeps the scheme of an Authorization value ("Bearer [REDACTED]"): it tells a reader what was sent. */
function redactedValue(value: unknown): string {
  const scheme = typeof value === 'string' ? /^(Bearer|Basic)\s+/i.exec(value)?.[1] : undefined;
  return scheme ? `${scheme} ${REDACTED}` : REDACTED;
}

/** The process-wide instance: the logger is configured before dependency injection exists. */
export const redactor = new Redactor();
