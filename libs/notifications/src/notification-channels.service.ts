import { randomUUID } from 'node:crypto';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@riposte/config';
import { ConnectionTargetsService, SecretBox } from '@riposte/connection-targets';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '@riposte/errors';
import { redactor } from '@riposte/observability';
import { Database, NotificationChannelEntity, nowIso } from '@riposte/persistence';
import type { ChannelKind, CreateChannel } from './channel.schemas.js';
import { refuseOutboundUrl } from './outbound.js';

export interface ChannelView {
  name: string;
  kind: ChannelKind;
  /** The webhook's host only: the rest of the URL is the secret. */
  host: string | null;
  hasUrl: boolean;
  hasToken: boolean;
  connectionTarget: string | null;
  mailbox: string | null;
  to: string[];
  createdAt: string;
  updatedAt: string;
}

/** A channel with its secrets, for the sender only. */
export interface ResolvedChannel {
  name: string;
  kind: ChannelKind;
  url: string | null;
  token: string | null;
  connectionTarget: string | null;
  mailbox: string | null;
  to: string[];
}

interface Secrets {
  url?: string;
  token?: string;
}

/**
 * The registry of notification channels. Like connection targets' secrets, webhook URLs and
 * tokens are write-only: sealed with the service's key, never returned, registered with the
 * redactor so no log line or error carries them.
 */
@Injectable()
export class NotificationChannelsService implements OnApplicationBootstrap {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly targets: ConnectionTargetsService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const row of await this.db.reader.find(NotificationChannelEntity)) {
      if (row.secretCiphertext && this.box.canOpen(row.secretCiphertext)) this.registerSecrets(this.secretsOf(row));
    }
  }

  async create(input: CreateChannel): Promise<ChannelView> {
    await this.check(input);
    const now = nowIso();
    const id = randomUUID();
    const secrets: Secrets = {
      ...(input.url ? { url: input.url } : {}),
      ...(input.token ? { token: input.token } : {}),
    };
    const row: NotificationChannelEntity = {
      id,
      name: input.name,
      kind: input.kind,
      settings:
        input.kind === 'email'
          ? { connectionTarget: input.connectionTarget, mailbox: input.mailbox, to: input.to }
          : { host: new URL(input.url as string).hostname },
      secretCiphertext: Object.keys(secrets).length ? this.box.seal(JSON.stringify(secrets), id) : null,
      createdAt: now,
      updatedAt: now,
    };
    await this.db.transaction(async (m) => {
      if (await m.exists(NotificationChannelEntity, { where: { name: input.name } }))
        throw new ConflictError(`A notification channel named '${input.name}' exists already.`);
      await m.insert(NotificationChannelEntity, row as never);
    });
    this.registerSecrets(secrets);
    return this.toView(row);
  }

  async list(): Promise<ChannelView[]> {
    return (await this.db.reader.find(NotificationChannelEntity, { order: { name: 'ASC' } })).map((row) =>
      this.toView(row),
    );
  }

  async get(name: string): Promise<ChannelView> {
    return this.toView(await this.find(name));
  }

  async delete(name: string): Promise<void> {
    const deleted = await this.db.transaction((m) => m.delete(NotificationChannelEntity, { name }));
    if (!deleted.affected) throw new NotFoundError('Notification channel', name);
  }

  async resolve(name: string): Promise<ResolvedChannel> {
    const row = await this.find(name);
    const secrets = this.secretsOf(row);
    const settings = (row.settings ?? {}) as { connectionTarget?: string; mailbox?: string; to?: string[] };
    return {
      name: row.name,
      kind: row.kind as ChannelKind,
      url: secrets.url ?? null,
      token: secrets.token ?? null,
      connectionTarget: settings.connectionTarget ?? null,
      mailbox: settings.mailbox ?? null,
      to: settings.to ?? [],
    };
  }

  private async check(input: CreateChannel): Promise<void> {
    const errors: FieldError[] = [];
    const webhook = input.kind !== 'email';
    if (webhook) {
      if (!input.url) errors.push({ path: '/url', message: `is required for a ${input.kind} channel` });
      const refused = input.url
        ? refuseOutboundUrl(input.url, { allowLoopback: this.config.allowCustomEndpoints })
        : null;
      if (refused) errors.push({ path: '/url', message: refused });
      for (const field of ['connectionTarget', 'mailbox', 'to'] as const)
        if (input[field] !== undefined) errors.push({ path: `/${field}`, message: 'is only for email channels' });
      if (input.token !== undefined && input.kind !== 'webhook')
        errors.push({ path: '/token', message: 'is only for webhook channels' });
    } else {
      for (const field of ['connectionTarget', 'mailbox', 'to'] as const)
        if (input[field] === undefined) errors.push({ path: `/${field}`, message: 'is required for an email channel' });
      for (const field of ['url', 'token'] as const)
        if (input[field] !== undefined) errors.push({ path: `/${field}`, message: 'is not used by email channels' });
    }
    if (errors.length) throw new ValidationError(`The ${input.kind} channel '${input.name}' is not valid.`, errors);
    if (input.connectionTarget) await this.targets.get(input.connectionTarget);
  }

  private async find(name: string): Promise<NotificationChannelEntity> {
    const row = await this.db.reader.findOne(NotificationChannelEntity, { where: { name } });
    if (!row) throw new NotFoundError('Notification channel', name);
    return row;
  }

  private secretsOf(row: NotificationChannelEntity): Secrets {
    return row.secretCiphertext ? (JSON.parse(this.box.open(row.secretCiphertext, row.id)) as Secrets) : {};
  }

  private registerSecrets(secrets: Secrets): void {
    redactor.register(secrets.url);
    redactor.register(secrets.token);
  }

  private toView(row: NotificationChannelEntity): ChannelView {
    const settings = (row.settings ?? {}) as {
      host?: string;
      connectionTarget?: string;
      mailbox?: string;
      to?: string[];
    };
    // Which secrets exist is known without opening them: the kind says so, and a token only when sealed with one.
    const hasSecret = row.secretCiphertext !== null;
    return {
      name: row.name,
      kind: row.kind as ChannelKind,
      host: settings.host ?? null,
      hasUrl: hasSecret && row.kind !== 'email',
      hasToken:
        hasSecret &&
        row.kind === 'webhook' &&
        this.box.canOpen(row.secretCiphertext as string) &&
        Boolean(this.secretsOf(row).token),
      connectionTarget: settings.connectionTarget ?? null,
      mailbox: settings.mailbox ?? null,
      to: settings.to ?? [],
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}
