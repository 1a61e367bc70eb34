import { resolve } from 'node:path';
import Type, { type Static } from 'typebox';
import { compileSchema, formatSchemaErrors, PATTERN_MESSAGES } from '@riposte/schema';

const ADMIN_KEY_PATTERN = '^rip_[A-Za-z0-9]{20,200}$';
PATTERN_MESSAGES[ADMIN_KEY_PATTERN] =
  'must be rip_ followed by 20 to 200 letters or digits (make one with `npm run cli -- api-keys generate`)';

/**
 * The environment, validated once at boot. Every setting the service reads comes from here;
 * nothing else looks at process.env.
 */
const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  RIPOSTE_DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  RIPOSTE_DATABASE_URL: Type.Optional(Type.String({ pattern: '^(sqlite|postgres|postgresql):' })),
  RIPOSTE_DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 20 }),
  RIPOSTE_REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  RIPOSTE_REDIS_PREFIX: Type.String({
    pattern: '^[A-Za-z0-9_-]{1,64}$',
    default: 'riposte',
    description: 'first part of every Redis key of this cluster (one Redis may serve several)',
  }),
  RIPOSTE_ROLE: Type.Enum(['all', 'api', 'worker'], {
    default: 'all',
    description: 'queue mode: api (HTTP, alerts, console), worker (drives runs) or all (`npm start -- --role ...`)',
  }),
  RIPOSTE_ENCRYPTION_KEY: Type.Optional(Type.String({ minLength: 1 })),
  RIPOSTE_PREVIOUS_ENCRYPTION_KEYS: Type.Optional(Type.String()),
  RIPOSTE_ADMIN_KEY: Type.Optional(Type.String({ pattern: ADMIN_KEY_PATTERN })),
  RIPOSTE_ALLOW_CUSTOM_ENDPOINTS: Type.Boolean({ default: false }),
  RIPOSTE_PLAYBOOKS_DIR: Type.String({ minLength: 1, default: './playbooks' }),
  RIPOSTE_METRICS_PUBLIC: Type.Boolean({ default: false }),
  RIPOSTE_SECRET_EXPIRY_WARNING_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
  RIPOSTE_RUN_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 10_000, default: 64 }),
  RIPOSTE_HTTP_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
  RIPOSTE_HTTP_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 10, default: 4 }),
  RIPOSTE_HTTP_MAX_RETRY_WAIT_SECONDS: Type.Number({ minimum: 0, maximum: 3600, default: 120 }),
  RIPOSTE_GRAPH_CONCURRENCY_PER_TENANT: Type.Integer({ minimum: 1, maximum: 256, default: 8 }),
  RIPOSTE_GRAPH_BATCH_LINGER_MS: Type.Integer({ minimum: 0, maximum: 1000, default: 200 }),
  RIPOSTE_MACHINE_ACTION_TIMEOUT_SECONDS: Type.Number({ minimum: 0.1, maximum: 86_400, default: 900 }),
  RIPOSTE_MACHINE_ACTION_POLL_SECONDS: Type.Number({ minimum: 0.01, maximum: 600, default: 10 }),
  RIPOSTE_DEFENDER_CALLS_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 100_000, default: 100 }),
  RIPOSTE_DEFENDER_CALLS_PER_HOUR: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1500 }),
  RIPOSTE_WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 32, maxLength: 512 })),
  RIPOSTE_GUARDRAILS_FILE: Type.Optional(Type.String({ minLength: 1 })),
  RIPOSTE_PUBLIC_URL: Type.Optional(
    Type.String({
      pattern: '^https?://[^\\s]+$',
      description: 'Where people reach this service (or its console): approval notifications link there.',
    }),
  ),
  RIPOSTE_APPROVAL_NOTIFY_POLL_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 2000 }),
  RIPOSTE_OIDC_ISSUER: Type.Optional(Type.String({ pattern: '^https://[^\\s]+$', description: 'https only' })),
  RIPOSTE_OIDC_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  RIPOSTE_OIDC_JWKS_URI: Type.Optional(Type.String({ pattern: '^https://[^\\s]+$' })),
  RIPOSTE_OIDC_ROLE_CLAIM: Type.String({ minLength: 1, default: 'roles' }),
  RIPOSTE_OIDC_CLIENT_ID: Type.Optional(
    Type.String({
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      description: "the console's app registration (Application (client) ID, a GUID)",
    }),
  ),
  RIPOSTE_OIDC_SCOPE: Type.Optional(
    Type.String({ pattern: '^[^\\s]+$', description: 'one scope, e.g. api://riposte/access_as_user' }),
  ),
  RIPOSTE_OIDC_ROLES: Type.String({
    pattern: '^[^=,\\s]+=(viewer|analyst|author|admin)(,[^=,\\s]+=(viewer|analyst|author|admin))*$',
    default: 'Riposte.Viewer=viewer,Riposte.Analyst=analyst,Riposte.Author=author,Riposte.Admin=admin',
  }),
  RIPOSTE_SIGN_IN_REDIRECT_URI: Type.Optional(
    Type.String({
      pattern: '^(https://[^\\s]+|http://(localhost|127\\.0\\.0\\.1)(:[0-9]+)?/[^\\s]*)$',
      description: 'https, or http only on localhost (as Entra ID allows)',
    }),
  ),
  RIPOSTE_ALERTS_POLL_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 300 }),
  RIPOSTE_INCIDENTS_POLL_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 900 }),
  RIPOSTE_POLL_LOOKBACK_SECONDS: Type.Integer({ minimum: 0, maximum: 30 * 86_400, default: 3600 }),
  RIPOSTE_POLL_OVERLAP_SECONDS: Type.Integer({ minimum: 0, maximum: 86_400, default: 300 }),
  RIPOSTE_POLL_COOLDOWN_SECONDS: Type.Number({ minimum: 0, maximum: 86_400, default: 600 }),
  RIPOSTE_ALLOW_SELF_APPROVAL: Type.Boolean({ default: false }),
  RIPOSTE_AUTH_FAILURES_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10 }),
  RIPOSTE_EXPORT_ALLOWED_NETWORKS: Type.Optional(
    Type.String({
      pattern: '^\\s*[0-9a-fA-F:.]+/\\d{1,3}\\s*(,\\s*[0-9a-fA-F:.]+/\\d{1,3}\\s*)*$',
      description: 'CIDRs, comma-separated',
    }),
  ),
  RIPOSTE_EXPORT_MAX_BACKOFF_SECONDS: Type.Number({ minimum: 0.1, maximum: 3600, default: 300 }),
  RIPOSTE_EXPORT_RETENTION_DAYS: Type.Number({ minimum: 0.001, maximum: 3650, default: 7 }),
});
type Env = Static<typeof EnvSchema>;

/**
 * The typed configuration. An abstract class rather than an interface so that it can be
 * injected by type: `constructor(private readonly config: AppConfig)`.
 */
export abstract class AppConfig {
  declare http: { port: number; host: string };
  declare logLevel: Env['LOG_LEVEL'];
  declare dataDir: string;
  /** PostgreSQL: `poolSize` connections per process (each transaction holds one until it ends). */
  declare database: { type: 'sqlite'; path: string } | { type: 'postgres'; url: string; poolSize: number };
  /** Redis for cluster mode; checked at boot (see @riposte/redis), used by queue mode. */
  declare redis: { url: string } | undefined;
  /**
   * Queue mode (Redis and PostgreSQL): runs are dispatched to worker processes through BullMQ,
   * under Redis keys starting with `prefix`. Undefined in the embedded mode (one process).
   */
  declare queue: { url: string; prefix: string } | undefined;
  /** What this process does: `all` (the embedded mode is always `all`), or in queue mode `api` or `worker`. */
  declare role: 'all' | 'api' | 'worker';
  declare encryption: { key: string | undefined; previousKeys: string[] };
  declare adminKey: string | undefined;
  declare allowCustomEndpoints: boolean;
  declare playbooksDir: string;
  declare metricsPublic: boolean;
  declare secretExpiryWarningDays: number;
  declare runConcurrency: number;
  declare azureHttp: {
    timeoutMs: number;
    maxAttempts: number;
    maxRetryWaitMs: number;
    graphConcurrencyPerTenant: number;
    graphBatchLingerMs: number;
  };
  declare machineActions: { timeoutMs: number; pollIntervalMs: number };
  declare defenderRateLimit: { perMinute: number; perHour: number };
  declare webhookSecret: string | undefined;
  declare guardrailsFile: string | undefined;
  /** Base URL for links in notifications (no trailing slash). */
  declare publicUrl: string | undefined;
  declare approvalNotifications: { pollMs: number };
  /** Sign-in for people: bearer tokens from this issuer (Entra ID), app roles mapped to ours. */
  declare oidc:
    | {
        issuer: string;
        audiences: string[];
        jwksUri: string | undefined;
        roleClaim: string;
        roles: Record<string, 'viewer' | 'analyst' | 'author' | 'admin'>;
        /** Entra sign-in in the web console (authorization code with PKCE), when RIPOSTE_OIDC_CLIENT_ID is set. */
        console: { clientId: string; authority: string; scopes: string[] } | undefined;
      }
    | undefined;
  /** Four eyes: whoever started a run may not decide its approvals and holds, unless this relaxes it. */
  declare allowSelfApproval: boolean;
  /** Failed authentications a client (by address) may make per minute before it must wait. */
  declare authFailuresPerMinute: number;
  /** Delegated connection targets: the redirect URI registered on their app (Authentication → Web). */
  declare signIn: { redirectUri: string };
  declare polling: {
    alertsIntervalSeconds: number;
    incidentsIntervalSeconds: number;
    lookbackSeconds: number;
    overlapSeconds: number;
    cooldownMs: number;
  };
  /** SIEM export: private networks sinks may reach (SIEM collectors usually live on one), retry bound, how long delivered events are kept. */
  declare export: { allowedNetworks: string[]; maxBackoffMs: number; retentionMs: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const validateEnv = compileSchema<Env>(EnvSchema, { coerceTypes: true, useDefaults: true });

/** Reads and checks the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(EnvSchema.properties);
  const raw: Record<string, unknown> = {};
  for (const name of known) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  if (!validateEnv(raw)) {
    throw new ConfigError(
      formatSchemaErrors(validateEnv.errors).map(
        (e) => `${e.path.replace(/^\//, '') || 'environment'}: ${e.message}${describeValue(raw, e.path)}`,
      ),
    );
  }
  const e = raw as Env;
  const dataDir = resolve(e.RIPOSTE_DATA_DIR);
  const database = databaseFrom(e.RIPOSTE_DATABASE_URL, dataDir, e.RIPOSTE_DATABASE_POOL_SIZE);
  return {
    http: { port: e.PORT, host: e.HOST },
    logLevel: e.LOG_LEVEL,
    dataDir,
    database,
    redis: e.RIPOSTE_REDIS_URL ? { url: e.RIPOSTE_REDIS_URL } : undefined,
    ...queueFrom(e, database),
    encryption: {
      key: e.RIPOSTE_ENCRYPTION_KEY,
      previousKeys: (e.RIPOSTE_PREVIOUS_ENCRYPTION_KEYS ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    },
    adminKey: e.RIPOSTE_ADMIN_KEY,
    allowCustomEndpoints: e.RIPOSTE_ALLOW_CUSTOM_ENDPOINTS,
    playbooksDir: resolve(e.RIPOSTE_PLAYBOOKS_DIR),
    metricsPublic: e.RIPOSTE_METRICS_PUBLIC,
    secretExpiryWarningDays: e.RIPOSTE_SECRET_EXPIRY_WARNING_DAYS,
    runConcurrency: e.RIPOSTE_RUN_CONCURRENCY,
    azureHttp: {
      timeoutMs: e.RIPOSTE_HTTP_TIMEOUT_MS,
      maxAttempts: e.RIPOSTE_HTTP_MAX_ATTEMPTS,
      maxRetryWaitMs: e.RIPOSTE_HTTP_MAX_RETRY_WAIT_SECONDS * 1000,
      graphConcurrencyPerTenant: e.RIPOSTE_GRAPH_CONCURRENCY_PER_TENANT,
      graphBatchLingerMs: e.RIPOSTE_GRAPH_BATCH_LINGER_MS,
    },
    machineActions: {
      timeoutMs: e.RIPOSTE_MACHINE_ACTION_TIMEOUT_SECONDS * 1000,
      pollIntervalMs: e.RIPOSTE_MACHINE_ACTION_POLL_SECONDS * 1000,
    },
    defenderRateLimit: { perMinute: e.RIPOSTE_DEFENDER_CALLS_PER_MINUTE, perHour: e.RIPOSTE_DEFENDER_CALLS_PER_HOUR },
    webhookSecret: e.RIPOSTE_WEBHOOK_SECRET,
    guardrailsFile: e.RIPOSTE_GUARDRAILS_FILE ? resolve(e.RIPOSTE_GUARDRAILS_FILE) : undefined,
    publicUrl: e.RIPOSTE_PUBLIC_URL?.replace(/\/+$/, ''),
    approvalNotifications: { pollMs: e.RIPOSTE_APPROVAL_NOTIFY_POLL_MS },
    oidc: oidcFrom(e),
    allowSelfApproval: e.RIPOSTE_ALLOW_SELF_APPROVAL,
    authFailuresPerMinute: e.RIPOSTE_AUTH_FAILURES_PER_MINUTE,
    signIn: {
      redirectUri: e.RIPOSTE_SIGN_IN_REDIRECT_URI ?? `http://localhost:${e.PORT || 3000}/api/v1/sign-in/redirect`,
    },
    polling: {
      alertsIntervalSeconds: e.RIPOSTE_ALERTS_POLL_SECONDS,
      incidentsIntervalSeconds: e.RIPOSTE_INCIDENTS_POLL_SECONDS,
      lookbackSeconds: e.RIPOSTE_POLL_LOOKBACK_SECONDS,
      overlapSeconds: e.RIPOSTE_POLL_OVERLAP_SECONDS,
      cooldownMs: e.RIPOSTE_POLL_COOLDOWN_SECONDS * 1000,
    },
    export: {
      allowedNetworks: (e.RIPOSTE_EXPORT_ALLOWED_NETWORKS ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
      maxBackoffMs: e.RIPOSTE_EXPORT_MAX_BACKOFF_SECONDS * 1000,
      retentionMs: e.RIPOSTE_EXPORT_RETENTION_DAYS * 86_400_000,
    },
  };
}

function oidcFrom(e: Env): AppConfig['oidc'] {
  if (!e.RIPOSTE_OIDC_ISSUER && !e.RIPOSTE_OIDC_AUDIENCE) {
    if (e.RIPOSTE_OIDC_CLIENT_ID || e.RIPOSTE_OIDC_SCOPE)
      throw new ConfigError([
        'RIPOSTE_OIDC_CLIENT_ID and RIPOSTE_OIDC_SCOPE are for sign-in in the web console, which needs RIPOSTE_OIDC_ISSUER and RIPOSTE_OIDC_AUDIENCE as well.',
      ]);
    return undefined;
  }
  if (!e.RIPOSTE_OIDC_ISSUER || !e.RIPOSTE_OIDC_AUDIENCE)
    throw new ConfigError([
      'RIPOSTE_OIDC_ISSUER and RIPOSTE_OIDC_AUDIENCE go together: set both to accept sign-in tokens, or neither.',
    ]);
  const roles = Object.fromEntries(
    e.RIPOSTE_OIDC_ROLES.split(',').map((pair) => pair.split('=') as [string, 'viewer']),
  );
  const audiences = e.RIPOSTE_OIDC_AUDIENCE.split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  return {
    issuer: e.RIPOSTE_OIDC_ISSUER,
    audiences,
    console: consoleSignInFrom(e, e.RIPOSTE_OIDC_ISSUER, audiences[0] ?? ''),
    jwksUri: e.RIPOSTE_OIDC_JWKS_URI,
    roleClaim: e.RIPOSTE_OIDC_ROLE_CLAIM,
    roles,
  };
}

/**
 * What the console needs for msal-browser: its client id, the authority (the v2.0 issuer without
 * `/v2.0`) and the scope of our API (by default `access_as_user` under the audience's App ID URI).
 */
function consoleSignInFrom(e: Env, issuer: string, audience: string): NonNullable<AppConfig['oidc']>['console'] {
  if (!e.RIPOSTE_OIDC_CLIENT_ID) {
    if (e.RIPOSTE_OIDC_SCOPE)
      throw new ConfigError(['RIPOSTE_OIDC_SCOPE is the scope the console asks for: set RIPOSTE_OIDC_CLIENT_ID too.']);
    return undefined;
  }
  const authority = issuer.replace(/\/+$/, '');
  if (!authority.endsWith('/v2.0'))
    throw new ConfigError([
      `RIPOSTE_OIDC_CLIENT_ID turns on Entra ID sign-in in the console, which needs an Entra v2.0 issuer such as https://login.microsoftonline.com/{tenant-id}/v2.0; RIPOSTE_OIDC_ISSUER is ${issuer}.`,
    ]);
  const appIdUri = audience.includes('://') ? audience : `api://${audience}`;
  return {
    clientId: e.RIPOSTE_OIDC_CLIENT_ID.toLowerCase(),
    authority: authority.slice(0, -'/v2.0'.length),
    scopes: [e.RIPOSTE_OIDC_SCOPE ?? `${appIdUri}/access_as_user`],
  };
}

/** Queue mode is Redis with PostgreSQL; Redis beside a SQLite file (one process only) is refused, as a role without Redis is. */
function queueFrom(e: Env, database: AppConfig['database']): Pick<AppConfig, 'queue' | 'role'> {
  if (e.RIPOSTE_REDIS_URL && database.type === 'sqlite')
    throw new ConfigError([
      'RIPOSTE_REDIS_URL turns on queue mode (several processes), which needs PostgreSQL: set RIPOSTE_DATABASE_URL=postgres://... as well, or unset RIPOSTE_REDIS_URL to run one process on SQLite.',
    ]);
  if (!e.RIPOSTE_REDIS_URL && e.RIPOSTE_ROLE !== 'all')
    throw new ConfigError([
      `RIPOSTE_ROLE ${e.RIPOSTE_ROLE} (--role ${e.RIPOSTE_ROLE}) is for queue mode: set RIPOSTE_REDIS_URL and a PostgreSQL RIPOSTE_DATABASE_URL, or start without a role to run everything in one process.`,
    ]);
  return {
    queue: e.RIPOSTE_REDIS_URL ? { url: e.RIPOSTE_REDIS_URL, prefix: e.RIPOSTE_REDIS_PREFIX } : undefined,
    role: e.RIPOSTE_ROLE,
  };
}

function databaseFrom(url: string | undefined, dataDir: string, poolSize: number): AppConfig['database'] {
  if (!url) return { type: 'sqlite', path: resolve(dataDir, 'riposte.sqlite') };
  if (url.startsWith('sqlite:'))
    return { type: 'sqlite', path: resolve(url.slice('sqlite:'.length).replace(/^\/\//, '')) };
  return { type: 'postgres', url, poolSize };
}

// Secrets are never echoed back, even in a boot error.
const SECRET_VARIABLES = new Set([
  'RIPOSTE_ENCRYPTION_KEY',
  'RIPOSTE_PREVIOUS_ENCRYPTION_KEYS',
  'RIPOSTE_ADMIN_KEY',
  'RIPOSTE_DATABASE_URL',
  'RIPOSTE_REDIS_URL',
  'RIPOSTE_WEBHOOK_SECRET',
]);
function describeValue(raw: Record<string, unknown>, path: string): string {
  const name = path.replace(/^\//, '');
  if (!(name in raw) || SECRET_VARIABLES.has(name)) return '';
  return ` (got '${String(raw[name])}')`;
}
