import Type, { type Static } from 'typebox';
import type { NotificationReceipt } from '@riposte/notifications';
import type { ActionDefinition } from '../action-definition.js';

const NotifyInput = Type.Object(
  {
    channel: Type.String({
      pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
      description: "A notification channel's name (POST /api/v1/notification-channels).",
    }),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    text: Type.String({ minLength: 1, maxLength: 4000 }),
    facts: Type.Optional(
      Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 1000 }), {
        maxProperties: 20,
        description: 'Label → value lines (user, machine, alert…).',
      }),
    ),
    link: Type.Optional(
      Type.Object(
        {
          title: Type.String({ minLength: 1, maxLength: 75 }),
          url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
type NotifyInput = Static<typeof NotifyInput>;

/**
 * Tells people: a Teams or Slack message, an e-mail, a webhook call. Not in the effect ledger: a
 * message cannot be looked up afterwards, so a retry after a lost answer may say it twice, which
 * is better than not at all.
 */
export const notify: ActionDefinition<NotifyInput, NotificationReceipt> = {
  id: 'notify.send',
  title: 'Send a notification',
  description:
    'Posts a message on a notification channel: an Adaptive Card to a Teams workflow, blocks to a Slack incoming webhook, an e-mail through Graph sendMail, or JSON to an HTTPS webhook.',
  inputSchema: NotifyInput,
  requiredRoles: [],
  inverse: null,
  destructive: false,
  ledger: false,
  needsConnection: false,
  entity: (input) => `channel:${input.channel}`,
  async plan(input) {
    // The channel's URL is a secret: the plan names the channel, never its address.
    return [
      {
        method: 'POST',
        url: `notification-channel:${input.channel}`,
        body: { title: input.title, text: input.text, facts: input.facts, link: input.link },
      },
    ];
  },
  async execute(input, { notify: send, signal }) {
    return send(input.channel, { title: input.title, text: input.text, facts: input.facts, link: input.link }, signal);
  },
};
