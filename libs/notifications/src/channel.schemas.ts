import Type, { type Static } from 'typebox';

export const CHANNEL_KINDS = ['teams', 'slack', 'email', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const CreateChannelSchema = Type.Object(
  {
    name: Type.String({
      pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
      description: 'A slug, as playbooks and approvals name the channel.',
    }),
    kind: Type.Enum([...CHANNEL_KINDS], {
      description:
        'teams: a Teams workflow webhook (Adaptive Card); slack: an incoming webhook (blocks); email: Graph sendMail; webhook: any HTTPS endpoint (JSON).',
    }),
    url: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        description: 'The webhook URL (write-only, stored encrypted). teams, slack, webhook.',
      }),
    ),
    token: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description: 'Sent as `Authorization: Bearer <token>` (write-only). webhook only.',
      }),
    ),
    connectionTarget: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
        description: 'email: the connection target whose app sends (Mail.Send).',
      }),
    ),
    mailbox: Type.Optional(
      Type.String({ format: 'email', maxLength: 320, description: 'email: the mailbox mail is sent from.' }),
    ),
    to: Type.Optional(
      Type.Array(Type.String({ format: 'email', maxLength: 320 }), {
        minItems: 1,
        maxItems: 50,
        description: 'email: the recipients.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateChannel = Static<typeof CreateChannelSchema>;
