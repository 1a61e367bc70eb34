import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { In } from 'typeorm';
import { AuditLog } from '@riposte/audit';
import { type Principal, SYSTEM_PRINCIPAL } from '@riposte/auth';
import { AppConfig } from '@riposte/config';
import {
  type AzureTarget,
  type CloudEndpoints,
  type CloudName,
  type CloudScopes,
  resolveCloud,
  TokenProvider,
} from '@riposte/azure';
import { ConflictError, NotFoundError, ValidationError } from '@riposte/errors';
import { Metrics, redactor } from '@riposte/observability';
import { ConnectionTargetEntity, Database, nowIso, RecentRead, RunEntity } from '@riposte/persistence';
import { inspectClientCertificate } from './client-certificate.js';
import type { CreateConnectionTarget, UpdateConnectionTarget } from './connection-target.schemas.js';
import { SecretBox } from './secret-box.js';
import { changesOf, checkCloud, destinationChanges, settingChanges } from './target-destinations.js';
import { UNFINISHED_RUN_STATUSES } from '@riposte/vocabulary';
import { SharedTokenCache } from './shared-token-cache.js';
import { DelegatedSessions, NOT_SIGNED_IN, type SignInView } from './delegated/delegated-sessions.js';

const DELEGATED_AUTH_TYPES = new Set(['authorizationCode', 'deviceCode']);

export interface ConnectionTargetView {
  name: string;
  tenantId: string;
  clientId: string | null;
  cloud: CloudName;
  endpoints: CloudEndpoints;
  scopes: CloudScopes;
  auth: {
    type: string;
    hasSecret: boolean;
    expiresAt: string | null;
    certificateThumbprint?: string;
    clientId?: string | null;
  };
  /** Azure Resource Manager settings (null when not set). */
  subscriptionId: string | null;
  resourceGroup: string | null;
  /** Delegated targets only: who signed in, with which scopes, or why a sign-in is needed. */
  signIn?: SignInView;
  createdAt: string;
  updatedAt: string;
}

export interface ExpiringCredential {
  connectionTarget: string;
  expiresAt: string;
  daysLeft: number;
}

const DAY_MS = 86_400_000;
/** How long a resolved target (with its decrypted credential) is reused: a change made by another process shows within this. */
const RESOLVED_CACHE_MS = 5_000;
/** Every alert looks up the targets (tenant → target): reused this long. */
const LIST_CACHE_MS = 1_000;

/** The registry of Azure app registrations the service acts through. */
@Injectable()
export class ConnectionTargetsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ConnectionTargetsService.name);
  private readonly resolved = new LRUCache<string, AzureTarget>({ max: 1_000, ttl: RESOLVED_CACHE_MS });
  private readonly listed = new RecentRead(LIST_CACHE_MS, async () =>
    this.withSignIns(await this.db.reader.find(ConnectionTargetEntity, { order: { name: 'ASC' } })),
  );

  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
    private readonly tokens: TokenProvider,
    private readonly metrics: Metrics,
    private readonly audit: AuditLog,
    private readonly sessions: DelegatedSessions,
    private readonly sharedTokens: SharedTokenCache,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const rows = await this.db.reader.find(ConnectionTargetEntity);
    for (const row of rows) this.metrics.setSecretExpiry(row.name, row.secretExpiresAt);
    const unreadable = rows
      .filter((row) => row.secretCiphertext && !this.box.canOpen(row.secretCiphertext))
      .map((row) => row.name);
    // Every stored secret is known to the redactor from the start, before any use could log it.
    for (const row of rows)
      if (row.secretCiphertext && this.box.canOpen(row.secretCiphertext))
        redactor.register(this.box.open(row.secretCiphertext, row.id));
    if (unreadable.length)
      this.logger.error(
        `The secrets of ${unreadable.join(', ')} are encrypted with a key that is not configured; actions on them will fail until the key is restored.`,
      );
  }

  async create(input: CreateConnectionTarget): Promise<ConnectionTargetView> {
    const id = randomUUID();
    const now = nowIso();
    const cloud = (input.cloud ?? 'public') as CloudName;
    await checkCloud(cloud, input.endpoints, this.config.allowCustomEndpoints);
    const row: ConnectionTargetEntity = {
      id,
      name: input.name,
      tenantId: input.tenantId.toLowerCase(),
      clientId: input.clientId?.toLowerCase() ?? null,
      cloud,
      endpoints: input.endpoints ?? null,
      scopes: input.scopes ?? null,
      authType: input.auth.type,
      certificatePem: null,
      certificateThumbprint: null,
      secretCiphertext: null,
      credentialVersion: 1,
      secretExpiresAt: null,
      subscriptionId: input.subscriptionId?.toLowerCase() ?? null,
      resourceGroup: input.resourceGroup ?? null,
      createdAt: now,
      updatedAt: now,
    };
    this.applyAuth(row, input.auth);
    this.checkClientId(row);
    await this.db.transaction(async (m) => {
      if (await m.exists(ConnectionTargetEntity, { where: { name: input.name } }))
        throw new ConflictError(`A connection target named '${input.name}' already exists.`);
      await m.insert(ConnectionTargetEntity, row);
    });
    this.changed();
    this.metrics.setSecretExpiry(row.name, row.secretExpiresAt);
    return this.toView(row, DELEGATED_AUTH_TYPES.has(row.authType) ? NOT_SIGNED_IN : undefined);
  }

  list(): Promise<ConnectionTargetView[]> {
    return this.listed.get();
  }

  async get(name: string): Promise<ConnectionTargetView> {
    return (await this.withSignIns([await this.find(name)]))[0] as ConnectionTargetView;
  }

  /**
   * A change of where the target signs in or sends its tokens (tenant, client id, cloud, any
   * endpoint) must carry the secret again: otherwise whoever may edit a target could send its
   * stored secret to a host of their choosing. Every change is audited with what changed (never
   * the secret), and the tokens of the old settings are dropped.
   */
  async update(
    name: string,
    patch: UpdateConnectionTarget,
    by: Pick<Principal, 'name' | 'role'> = SYSTEM_PRINCIPAL,
  ): Promise<ConnectionTargetView> {
    const current = await this.find(name);
    const next: ConnectionTargetEntity = { ...current, updatedAt: nowIso() };
    if (patch.tenantId) next.tenantId = patch.tenantId.toLowerCase();
    if (patch.clientId) next.clientId = patch.clientId.toLowerCase();
    if (patch.cloud) next.cloud = patch.cloud;
    if (patch.endpoints) next.endpoints = patch.endpoints;
    if (patch.cloud && patch.cloud !== 'custom') next.endpoints = null;
    if (patch.scopes) next.scopes = patch.scopes;
    if (patch.subscriptionId !== undefined) next.subscriptionId = patch.subscriptionId?.toLowerCase() ?? null;
    if (patch.resourceGroup !== undefined) next.resourceGroup = patch.resourceGroup;
    await checkCloud(
      next.cloud as CloudName,
      (next.endpoints ?? undefined) as CreateConnectionTarget['endpoints'],
      this.config.allowCustomEndpoints,
    );
    const moved = destinationChanges(current, next);
    const secretGiven = patch.auth?.type === 'clientSecret' || patch.auth?.type === 'clientCertificate';
    if (moved.length && current.secretCiphertext && !secretGiven) {
      throw new ValidationError(
        `Changing where connection target '${name}' sends its credential (${moved.join(', ')}) requires the secret again in the same request: send the auth block with the client secret or private key.`,
        [{ path: '/auth', message: `is required when ${moved.join(', ')} change${moved.length === 1 ? 's' : ''}` }],
        'credential_required',
      );
    }
    if (patch.auth) this.applyAuth(next, patch.auth);
    this.checkClientId(next);
    // Anything that changes who we are or where we sign in makes old tokens wrong.
    if (patch.auth || patch.tenantId || patch.clientId || patch.cloud || patch.endpoints || patch.scopes)
      next.credentialVersion = current.credentialVersion + 1;
    const changes = [...new Set([...moved, ...settingChanges(current, next)])];
    await this.db.transaction(async (m) => {
      await m.save(ConnectionTargetEntity, next);
      await this.audit.record(
        {
          actor: by.name,
          actorRole: by.role,
          action: 'connection_target.changed',
          result: 'success',
          targetEntity: name,
          connectionTarget: name,
          detail: {
            changed: changes.length ? changesOf(current, next, changes) : {},
            ...(patch.auth ? { credential: `replaced (${patch.auth.type})` } : {}),
            credentialVersion: next.credentialVersion,
          },
        },
        m,
      );
    });
    this.changed();
    this.tokens.forget(current.id);
    // Another app, tenant, cloud or flow: the person signed in for the old one is not signed in here.
    if (
      (patch.tenantId ||
        patch.clientId ||
        patch.cloud ||
        patch.endpoints ||
        (patch.auth && patch.auth.type !== current.authType)) &&
      DELEGATED_AUTH_TYPES.has(current.authType)
    )
      await this.sessions.clear(current.id, "the connection target's app, tenant, cloud or sign-in flow changed");
    this.metrics.setSecretExpiry(next.name, next.secretExpiresAt);
    return this.get(next.name);
  }

  async delete(name: string): Promise<void> {
    const row = await this.find(name);
    await this.db.transaction(async (m) => {
      const busy = await m.count(RunEntity, {
        where: { connectionTarget: name, status: In([...UNFINISHED_RUN_STATUSES]) },
      });
      if (busy > 0)
        throw new ConflictError(
          `Connection target '${name}' is used by ${busy} run(s) in flight; wait for them to finish or cancel them first.`,
          'connection_target_in_use',
        );
      await m.delete(ConnectionTargetEntity, { id: row.id });
    });
    await this.sessions.clear(row.id, null);
    this.changed();
    this.tokens.forget(row.id);
    this.metrics.setSecretExpiry(name, null);
  }

  /** The target with its credential decrypted, for the Azure clients only. Never returned by the API. */
  async resolve(name: string): Promise<AzureTarget> {
    const cached = this.resolved.get(name);
    if (cached) return cached;
    const target = this.decrypt(await this.find(name));
    this.resolved.set(name, target);
    return target;
  }

  /** The target with this id (a sign-in request names its target by id: a rename cannot redirect it). */
  async resolveById(id: string): Promise<AzureTarget> {
    const row = await this.db.reader.findOne(ConnectionTargetEntity, { where: { id } });
    if (!row) throw new NotFoundError('Connection target', id);
    return this.resolve(row.name);
  }

  /** A person signed in or out: lists read from now on show it. */
  signInChanged(): void {
    this.listed.clear();
  }

  private changed(): void {
    this.resolved.clear();
    this.listed.clear();
  }

  private decrypt(row: ConnectionTargetEntity): AzureTarget {
    const { endpoints, scopes } = resolveCloud(
      row.cloud as CloudName,
      row.endpoints ? { endpoints: row.endpoints as never, scopes: row.scopes } : null,
    );
    const secret = row.secretCiphertext ? this.box.open(row.secretCiphertext, row.id) : null;
    redactor.register(secret);
    const credential: AzureTarget['credential'] =
      row.authType === 'clientSecret'
        ? { type: 'clientSecret', clientSecret: secret ?? '' }
        : row.authType === 'clientCertificate'
          ? {
              type: 'clientCertificate',
              certificatePem: row.certificatePem ?? '',
              privateKeyPem: secret ?? '',
              thumbprintSha256: row.certificateThumbprint ?? '',
            }
          : row.authType === 'authorizationCode'
            ? { type: 'authorizationCode', clientSecret: secret ?? '', session: this.sessions.handle(row.id) }
            : row.authType === 'deviceCode'
              ? { type: 'deviceCode', session: this.sessions.handle(row.id) }
              : { type: 'managedIdentity', clientId: row.clientId };
    return {
      id: row.id,
      name: row.name,
      tenantId: row.tenantId,
      clientId: row.clientId,
      cloud: row.cloud as CloudName,
      endpoints,
      scopes,
      credentialVersion: row.credentialVersion,
      credential,
      ...(this.sharedTokens.enabled && (credential.type === 'clientSecret' || credential.type === 'clientCertificate')
        ? {
            sharedTokenCache: (resource: string) => this.sharedTokens.storeFor(row.id, row.credentialVersion, resource),
          }
        : {}),
      subscriptionId: row.subscriptionId,
      resourceGroup: row.resourceGroup,
    };
  }

  /** Credentials that expire within the warning window (or already have). */
  async expiringCredentials(now = Date.now()): Promise<ExpiringCredential[]> {
    const horizon = now + this.config.secretExpiryWarningDays * DAY_MS;
    const rows = await this.db.reader.find(ConnectionTargetEntity, { select: { name: true, secretExpiresAt: true } });
    return rows
      .filter((r) => r.secretExpiresAt && Date.parse(r.secretExpiresAt) <= horizon)
      .map((r) => ({
        connectionTarget: r.name,
        expiresAt: r.secretExpiresAt as string,
        daysLeft: Math.floor((Date.parse(r.secretExpiresAt as string) - now) / DAY_MS),
      }));
  }

  private async find(name: string): Promise<ConnectionTargetEntity> {
    const row = await this.db.reader.findOne(ConnectionTargetEntity, { where: { name } });
    if (!row) throw new NotFoundError('Connection target', name);
    return row;
  }

  private applyAuth(row: ConnectionTargetEntity, auth: CreateConnectionTarget['auth']): void {
    row.authType = auth.type;
    row.certificatePem = null;
    row.certificateThumbprint = null;
    row.secretCiphertext = null;
    row.secretExpiresAt = null;
    if (auth.type === 'clientSecret' || auth.type === 'authorizationCode') {
      redactor.register(auth.clientSecret);
      row.secretCiphertext = this.box.seal(auth.clientSecret, row.id);
      row.secretExpiresAt = auth.expiresAt ? new Date(auth.expiresAt).toISOString() : null;
    } else if (auth.type === 'clientCertificate') {
      const certificate = inspectClientCertificate(auth.certificatePem, auth.privateKeyPem);
      redactor.register(auth.privateKeyPem);
      row.certificatePem = auth.certificatePem;
      row.certificateThumbprint = certificate.thumbprintSha256;
      row.secretCiphertext = this.box.seal(auth.privateKeyPem, row.id);
      row.secretExpiresAt = auth.expiresAt ? new Date(auth.expiresAt).toISOString() : certificate.notAfter;
    } else if (auth.type === 'managedIdentity') {
      row.clientId = auth.clientId?.toLowerCase() ?? null;
    }
  }

  private checkClientId(row: ConnectionTargetEntity): void {
    if (row.authType !== 'managedIdentity' && !row.clientId) {
      throw new ValidationError(
        'A client id is required for client secret, certificate and delegated (sign-in) authentication.',
        [{ path: '/clientId', message: 'is required unless auth.type is managedIdentity' }],
      );
    }
  }

  private async withSignIns(rows: ConnectionTargetEntity[]): Promise<ConnectionTargetView[]> {
    const delegated = rows.filter((r) => DELEGATED_AUTH_TYPES.has(r.authType));
    const views = await this.sessions.views(delegated.map((r) => r.id));
    return rows.map((row) =>
      this.toView(row, DELEGATED_AUTH_TYPES.has(row.authType) ? (views.get(row.id) ?? NOT_SIGNED_IN) : undefined),
    );
  }

  private toView(row: ConnectionTargetEntity, signIn?: SignInView): ConnectionTargetView {
    const { endpoints, scopes } = resolveCloud(
      row.cloud as CloudName,
      row.endpoints ? { endpoints: row.endpoints as never, scopes: row.scopes } : null,
    );
    return {
      name: row.name,
      tenantId: row.tenantId,
      clientId: row.authType === 'managedIdentity' ? null : row.clientId,
      cloud: row.cloud as CloudName,
      endpoints,
      scopes,
      auth: {
        type: row.authType,
        hasSecret: row.secretCiphertext !== null,
        expiresAt: row.secretExpiresAt,
        ...(row.certificateThumbprint ? { certificateThumbprint: row.certificateThumbprint } : {}),
        ...(row.authType === 'managedIdentity' ? { clientId: row.clientId } : {}),
      },
      subscriptionId: row.subscriptionId ?? null,
      resourceGroup: row.resourceGroup ?? null,
      ...(signIn ? { signIn } : {}),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}
