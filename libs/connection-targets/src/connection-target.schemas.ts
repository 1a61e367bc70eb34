import Type, { type Static } from 'typebox';
import { CLOUDS } from '@riposte/azure';
import { Guid, HttpsUrl, IsoDateTime, Slug } from '@riposte/schema';

const ClientSecretAuth = Type.Object(
  {
    type: Type.Literal('clientSecret'),
    clientSecret: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: 'The Value of the client secret (write-only).',
    }),
    expiresAt: Type.Optional(IsoDateTime({ description: 'When the secret expires, as shown in the Azure portal.' })),
  },
  { additionalProperties: false },
);

const ClientCertificateAuth = Type.Object(
  {
    type: Type.Literal('clientCertificate'),
    certificatePem: Type.String({ minLength: 1, maxLength: 20_000 }),
    privateKeyPem: Type.String({ minLength: 1, maxLength: 20_000, description: 'Write-only.' }),
    expiresAt: Type.Optional(IsoDateTime({ description: "Defaults to the certificate's notAfter." })),
  },
  { additionalProperties: false },
);

const ManagedIdentityAuth = Type.Object(
  {
    type: Type.Literal('managedIdentity'),
    clientId: Type.Optional(
      Guid({ description: 'The client id of a user-assigned identity; omit for system-assigned.' }),
    ),
  },
  { additionalProperties: false },
);

const AuthorizationCodeAuth = Type.Object(
  {
    type: Type.Literal('authorizationCode'),
    clientSecret: Type.String({
      minLength: 1,
      maxLength: 1024,
      description:
        "The Value of the web app's client secret (write-only). A person then signs in through POST …/authorize.",
    }),
    expiresAt: Type.Optional(IsoDateTime({ description: 'When the secret expires, as shown in the Azure portal.' })),
  },
  { additionalProperties: false },
);

const DeviceCodeAuth = Type.Object(
  { type: Type.Literal('deviceCode') },
  {
    additionalProperties: false,
    description:
      'A public client (Allow public client flows = Yes): no secret; a person signs in with a code through POST …/device-code.',
  },
);

// A discriminated oneOf, so Ajv reports the errors of the branch the `type` names, not of all of them.
const Auth = Type.Unsafe<
  | Static<typeof ClientSecretAuth>
  | Static<typeof ClientCertificateAuth>
  | Static<typeof ManagedIdentityAuth>
  | Static<typeof AuthorizationCodeAuth>
  | Static<typeof DeviceCodeAuth>
>({
  type: 'object',
  discriminator: { propertyName: 'type' },
  oneOf: [ClientSecretAuth, ClientCertificateAuth, ManagedIdentityAuth, AuthorizationCodeAuth, DeviceCodeAuth],
});

const SubscriptionId = Guid({
  description: 'Azure subscription of the resources (Azure Resource Manager), as in seed 003.',
});
const ResourceGroup = Type.String({
  minLength: 1,
  maxLength: 90,
  pattern: '^[-\\w._()]*[-\\w_()]$',
  description: 'Resource group name (letters, digits, - _ . ( ), not ending with a period).',
});

const Endpoints = Type.Object(
  {
    authority: HttpsUrl(),
    graph: HttpsUrl(),
    defender: Type.Optional(HttpsUrl()),
    management: Type.Optional(HttpsUrl()),
  },
  {
    additionalProperties: false,
    description: 'Only with cloud "custom": base URLs in the same form as the public ones.',
  },
);

const Scopes = Type.Object(
  {
    graph: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    defender: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    management: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const CreateConnectionTargetSchema = Type.Object(
  {
    name: Slug({ description: 'The name playbooks and responses use to address the target.' }),
    tenantId: Guid({ description: 'Directory (tenant) ID.' }),
    clientId: Type.Optional(
      Guid({ description: 'Application (client) ID. Required unless auth.type is managedIdentity.' }),
    ),
    cloud: Type.Enum([...CLOUDS], { default: 'public' }),
    endpoints: Type.Optional(Endpoints),
    scopes: Type.Optional(Scopes),
    subscriptionId: Type.Optional(SubscriptionId),
    resourceGroup: Type.Optional(ResourceGroup),
    auth: Auth,
  },
  { additionalProperties: false },
);
export type CreateConnectionTarget = Static<typeof CreateConnectionTargetSchema>;

export const UpdateConnectionTargetSchema = Type.Object(
  {
    tenantId: Type.Optional(Guid()),
    clientId: Type.Optional(Guid()),
    cloud: Type.Optional(Type.Enum([...CLOUDS])),
    endpoints: Type.Optional(Endpoints),
    scopes: Type.Optional(Scopes),
    subscriptionId: Type.Optional(Type.Union([SubscriptionId, Type.Null()])),
    resourceGroup: Type.Optional(Type.Union([ResourceGroup, Type.Null()])),
    auth: Type.Optional(Auth),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateConnectionTarget = Static<typeof UpdateConnectionTargetSchema>;
