import Type, { type Static } from 'typebox';
import { HttpsUrl, Slug } from '@riposte/schema';

const Pem = Type.String({
  minLength: 1,
  maxLength: 20_000,
  pattern: '-----BEGIN CERTIFICATE-----',
  description:
    'An extra CA to trust for this receiver (PEM); the system CAs and NODE_EXTRA_CA_CERTS are trusted anyway.',
});
const Hostname = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: '^[\\x21-\\x7e]+$',
  description: 'The HOSTNAME (syslog) or host (HEC) field; the machine name by default.',
});

export const SyslogSettingsSchema = Type.Object(
  {
    host: Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[A-Za-z0-9.:\\[\\]-]+$',
      description: 'The receiver: a host name or IP address.',
    }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 6514 }),
    format: Type.Enum(['rfc5424', 'cef'], {
      default: 'rfc5424',
      description: 'rfc5424: the event as JSON; cef: ArcSight Common Event Format. Both in RFC 5424 syslog over TLS.',
    }),
    facility: Type.Integer({ minimum: 0, maximum: 23, default: 16, description: 'Syslog facility (16 = local0).' }),
    hostname: Type.Optional(Hostname),
    caCertificatePem: Type.Optional(Pem),
  },
  { additionalProperties: false },
);

export const SplunkHecSettingsSchema = Type.Object(
  {
    url: HttpsUrl({
      description:
        'The HEC base URL, e.g. https://splunk.contoso.com:8088 (the client adds /services/collector/event).',
    }),
    index: Type.Optional(Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9_][a-z0-9_-]*$' })),
    sourcetype: Type.String({ minLength: 1, maxLength: 200, default: 'riposte:event' }),
    source: Type.String({ minLength: 1, maxLength: 200, default: 'riposte' }),
    hostname: Type.Optional(Hostname),
    caCertificatePem: Type.Optional(Pem),
  },
  { additionalProperties: false },
);

export const AzureMonitorSettingsSchema = Type.Object(
  {
    connectionTarget: Slug({
      description:
        'The connection target whose app registration signs in (client credentials, scope https://monitor.azure.com/.default).',
    }),
    endpoint: HttpsUrl({
      description: 'The data collection endpoint, e.g. https://riposte-dce-abcd.westeurope-1.ingest.monitor.azure.com.',
    }),
    dcrImmutableId: Type.String({
      pattern: '^dcr-[0-9a-fA-F]{32}$',
      description: 'The immutable id of the data collection rule (dcr-…).',
    }),
    streamName: Type.String({ pattern: '^Custom-[A-Za-z0-9_]{1,100}$', default: 'Custom-RiposteEvents' }),
    scope: Type.Optional(
      Type.String({
        pattern: '^https://[^\\s]+/\\.default$',
        maxLength: 500,
        description: "The token scope; by the target's cloud by default.",
      }),
    ),
  },
  { additionalProperties: false },
);

export const SINK_TYPES = ['syslog', 'splunkHec', 'azureMonitor'] as const;
export type SinkType = (typeof SINK_TYPES)[number];
export const SETTINGS_SCHEMAS = {
  syslog: SyslogSettingsSchema,
  splunkHec: SplunkHecSettingsSchema,
  azureMonitor: AzureMonitorSettingsSchema,
} as const;

const Token = Type.String({
  minLength: 1,
  maxLength: 1024,
  description: 'The HEC token (write-only; splunkHec only).',
});
const StartAt = Type.Enum(['beginning', 'now'], {
  default: 'beginning',
  description: 'beginning: every event still kept; now: only events from now on.',
});
const Enabled = Type.Boolean({ default: true });

export const CreateSinkSchema = Type.Object(
  {
    name: Slug({ description: 'How the sink is addressed.' }),
    type: Type.Enum([...SINK_TYPES]),
    enabled: Type.Optional(Enabled),
    settings: Type.Object({}, { additionalProperties: true, description: 'By type: see docs/API.md.' }),
    token: Type.Optional(Token),
    startAt: Type.Optional(StartAt),
  },
  { additionalProperties: false },
);
export type CreateSink = Static<typeof CreateSinkSchema>;

export const UpdateSinkSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    settings: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: 'Merged into the current settings.' }),
    ),
    token: Type.Optional(Token),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateSink = Static<typeof UpdateSinkSchema>;
