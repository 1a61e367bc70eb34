import { Injectable, Logger } from '@nestjs/common';
import type { AxiosInstance } from 'axios';
import { GraphClient } from '@riposte/azure';
import { AppConfig } from '@riposte/config';
import { ConnectionTargetsService } from '@riposte/connection-targets';
import { RiposteError } from '@riposte/errors';
import { redactor } from '@riposte/observability';
import { NotificationChannelsService, type ResolvedChannel } from './notification-channels.service.js';
import { outboundClient, refuseOutboundUrl } from './outbound.js';

export interface Notification {
  title: string;
  text: string;
  /** Label → value lines (run, playbook, user, machine…). */
  facts?: Record<string, string>;
  /** Where to act: the console's approvals screen, or the API call. */
  link?: { title: string; url: string };
}

export interface NotificationReceipt {
  channel: string;
  kind: string;
  status: number;
}

export class NotificationError extends RiposteError {
  constructor(message: string, code: 'notification_refused' | 'notification_failed') {
    super('unavailable', message, code);
  }
}

/**
 * Sends a notification on a channel, shaped for where it lands: an Adaptive Card for a Teams
 * workflow, Block Kit for Slack, plain JSON for a generic webhook, a Graph `sendMail` for e-mail.
 * Each call is checked against the outbound policy again (the setting may have changed since the
 * channel was saved), follows no redirect, and is bounded in time and size.
 */
@Injectable()
export class Notifier {
  private readonly logger = new Logger(Notifier.name);
  private readonly http: AxiosInstance;

  constructor(
    private readonly channels: NotificationChannelsService,
    private readonly targets: ConnectionTargetsService,
    private readonly graph: GraphClient,
    private readonly config: AppConfig,
  ) {
    this.http = outboundClient({ allowLoopback: config.allowCustomEndpoints });
  }

  async send(channelName: string, notification: Notification, signal?: AbortSignal): Promise<NotificationReceipt> {
    const channel = await this.channels.resolve(channelName);
    const status =
      channel.kind === 'email'
        ? await this.mail(channel, notification, signal)
        : await this.post(channel, notification, signal);
    this.logger.log({ channel: channel.name, kind: channel.kind, status }, 'notification sent');
    return { channel: channel.name, kind: channel.kind, status };
  }

  private async post(channel: ResolvedChannel, notification: Notification, signal?: AbortSignal): Promise<number> {
    const url = channel.url as string;
    const refused = refuseOutboundUrl(url, { allowLoopback: this.config.allowCustomEndpoints });
    if (refused)
      throw new NotificationError(
        `The ${channel.kind} channel '${channel.name}' was not called: its URL ${refused}.`,
        'notification_refused',
      );
    const body =
      channel.kind === 'teams'
        ? adaptiveCard(notification)
        : channel.kind === 'slack'
          ? slackBlocks(notification)
          : { ...notification, sentAt: new Date().toISOString() };
    let status: number;
    try {
      const response = await this.http.post(url, body, {
        signal,
        headers: {
          'Content-Type': 'application/json',
          ...(channel.token ? { Authorization: `Bearer ${channel.token}` } : {}),
        },
      });
      status = response.status;
    } catch (error) {
      // Axios errors carry the URL and headers: only a code and a scrubbed message leave here.
      const e = error as { code?: string; cause?: { code?: string }; message?: string };
      const code = e.cause?.code ?? e.code ?? 'ENETWORK';
      if (code === 'ERIPOSTE_ENDPOINT_REFUSED')
        throw new NotificationError(
          `The ${channel.kind} channel '${channel.name}' was not called: its host resolves to an address this service does not call.`,
          'notification_refused',
        );
      throw new NotificationError(
        `The ${channel.kind} channel '${channel.name}' could not be reached (${code}): ${redactor.scrub(e.message ?? '')}`.trim(),
        'notification_failed',
      );
    }
    if (status >= 300 && status < 400)
      throw new NotificationError(
        `The ${channel.kind} channel '${channel.name}' answered ${status} (a redirect); it was not followed.`,
        'notification_failed',
      );
    if (status >= 400)
      throw new NotificationError(
        `The ${channel.kind} channel '${channel.name}' answered HTTP ${status}.`,
        'notification_failed',
      );
    return status;
  }

  private async mail(channel: ResolvedChannel, notification: Notification, signal?: AbortSignal): Promise<number> {
    const target = await this.targets.resolve(channel.connectionTarget as string);
    const lines = [
      notification.text,
      '',
      ...Object.entries(notification.facts ?? {}).map(([k, v]) => `${k}: ${v}`),
      ...(notification.link ? ['', `${notification.link.title}: ${notification.link.url}`] : []),
    ];
    const reply = await this.graph.send(
      target,
      {
        method: 'POST',
        path: `/users/${encodeURIComponent(channel.mailbox as string)}/sendMail`,
        body: {
          message: {
            subject: notification.title,
            body: { contentType: 'Text', content: lines.join('\n') },
            toRecipients: channel.to.map((address) => ({ emailAddress: { address } })),
          },
          saveToSentItems: false,
        },
        idempotent: false,
        what: `mailbox ${channel.mailbox}`,
      },
      signal,
    );
    return reply.status;
  }
}

/** A Teams workflow ("When a Teams webhook request is received") takes a message with Adaptive Card attachments. */
export function adaptiveCard(n: Notification): Record<string, unknown> {
  const body: unknown[] = [
    { type: 'TextBlock', text: n.title, weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: n.text, wrap: true },
  ];
  if (n.facts && Object.keys(n.facts).length)
    body.push({ type: 'FactSet', facts: Object.entries(n.facts).map(([title, value]) => ({ title, value })) });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(n.link ? { actions: [{ type: 'Action.OpenUrl', title: n.link.title, url: n.link.url }] } : {}),
        },
      },
    ],
  };
}

/** A Slack incoming webhook: `text` is the fallback shown in notifications, `blocks` the message. */
export function slackBlocks(n: Notification): Record<string, unknown> {
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: n.title.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: n.text.slice(0, 3000) } },
  ];
  const facts = Object.entries(n.facts ?? {}).slice(0, 10);
  if (facts.length)
    blocks.push({
      type: 'section',
      fields: facts.map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${v}`.slice(0, 2000) })),
    });
  if (n.link)
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: n.link.title.slice(0, 75) }, url: n.link.url }],
    });
  return { text: `${n.title}: ${n.text}`.slice(0, 3000), blocks };
}
