/**
 * The JSON Schema (draft 2020-12) of the playbook format: what editors use to validate and
 * complete YAML (shipped playbooks point at docs/playbook.schema.json, generated from this),
 * and the first check of the loader. Step kinds and cross-references are checked in code after
 * it, where the messages can be specific.
 */
import { DURATION_PATTERN } from '@riposte/schema';

export const PLAYBOOK_SCHEMA_ID = 'https://riposte.dev/schemas/playbook.schema.json';

const duration = {
  type: 'string',
  pattern: DURATION_PATTERN,
  description: 'A duration: a number and a unit (ms, s, m, h, d), e.g. `30s`, `4h`.',
};
const expression = {
  type: 'string',
  pattern: '^\\s*\\$\\{\\{[\\s\\S]*\\}\\}\\s*$',
  description: 'An expression: `${{ … }}` (JSONata), e.g. `${{ alert.severity = "high" }}`.',
};
const slug = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' };
const stepId = {
  type: 'string',
  pattern: '^[a-z][a-z0-9_]{0,62}$',
  description: 'Unique in the playbook, in snake_case (expressions read results as `steps.<id>.output`).',
};
const onError = {
  description:
    'What a failure of this step does: `fail` the run (default), `continue` with the next step, or `goto` another step.',
  oneOf: [
    { enum: ['fail', 'continue'] },
    { type: 'object', properties: { goto: stepId }, required: ['goto'], additionalProperties: false },
  ],
};
const stringList = { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 };
const stringMatch = {
  description:
    'A value or a list of values (case-insensitive), or `{ glob }`, or `{ regex }` (at most 200 characters).',
  oneOf: [
    { type: 'string' },
    stringList,
    {
      type: 'object',
      properties: { glob: { type: 'string', minLength: 1, maxLength: 500 } },
      required: ['glob'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { regex: { type: 'string', minLength: 1, maxLength: 200 } },
      required: ['regex'],
      additionalProperties: false,
    },
  ],
};
const inputType = { enum: ['string', 'number', 'integer', 'boolean', 'array', 'object'] };

export const PLAYBOOK_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: PLAYBOOK_SCHEMA_ID,
  title: 'Riposte playbook',
  description: 'A response playbook: inputs, the alerts that trigger it, and the steps it runs.',
  type: 'object',
  required: ['id', 'name', 'steps'],
  additionalProperties: false,
  properties: {
    id: { ...slug, description: 'The playbook id: lowercase letters, digits and dashes.' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 5000 },
    enabled: {
      type: 'boolean',
      default: true,
      description: 'Disabled playbooks are not fired by alerts; they can still be run by hand.',
    },
    connection: { ...slug, description: 'The default connection target of action steps (a run may name another).' },
    inputs: {
      type: 'object',
      description: 'Typed inputs, read as `inputs.<name>`.',
      propertyNames: { pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,62}$' },
      additionalProperties: {
        type: 'object',
        required: ['type'],
        additionalProperties: false,
        properties: {
          type: inputType,
          description: { type: 'string' },
          required: { type: 'boolean', description: 'Defaults to true unless a default is given.' },
          default: {},
          enum: { type: 'array', minItems: 1 },
          items: { type: 'object', properties: { type: inputType }, required: ['type'], additionalProperties: false },
        },
      },
    },
    triggers: {
      type: 'array',
      description: 'Alerts that start this playbook.',
      items: {
        type: 'object',
        required: ['alert'],
        additionalProperties: false,
        properties: {
          alert: {
            type: 'object',
            additionalProperties: false,
            description: 'All given conditions must hold.',
            properties: {
              severity: { ...stringList, description: 'e.g. [high, medium]' },
              status: stringList,
              serviceSource: stringList,
              detectionSource: stringList,
              category: stringList,
              title: stringMatch,
              evidence: {
                ...stringList,
                description:
                  'Evidence types that must be present: user, device, ip, url, mailbox, analyzedMessage, mailCluster, file, process, azureResource.',
              },
              when: expression,
            },
          },
          inputs: {
            type: 'object',
            description: 'Run inputs from the alert, e.g. `user: ${{ alert.users[0].userPrincipalName }}`.',
          },
          onUpdate: { type: 'boolean', default: false, description: 'Also fire when a known alert is updated.' },
          throttle: {
            type: 'object',
            required: ['key', 'window'],
            additionalProperties: false,
            properties: { key: expression, window: duration },
            description: 'Runs with the same key within the window start only once.',
          },
        },
      },
    },
    steps: { $ref: '#/$defs/steps' },
    outputs: { type: 'object', description: 'Values the run returns, usually expressions over `steps`.' },
  },
  $defs: {
    steps: { type: 'array', minItems: 1, items: { $ref: '#/$defs/step' } },
    step: {
      type: 'object',
      required: ['id'],
      additionalProperties: false,
      description: 'A step: exactly one of action, parallel, branch, forEach, approval, wait, call, succeed, fail.',
      properties: {
        id: stepId,
        name: { type: 'string', maxLength: 200 },
        if: {
          description: 'Run the step only when this is true; otherwise it is skipped.',
          oneOf: [expression, { type: 'boolean' }],
        },
        timeout: duration,
        retry: {
          type: 'object',
          required: ['attempts'],
          additionalProperties: false,
          properties: {
            attempts: { type: 'integer', minimum: 1, maximum: 10, description: 'Attempts in all, the first included.' },
            backoff: duration,
            factor: { type: 'number', minimum: 1, maximum: 10 },
            maxBackoff: duration,
            on: {
              ...stringList,
              description: 'Error codes to retry (default: throttled, service_unavailable, timeout, network_error).',
            },
          },
        },
        onError,
        action: {
          type: 'string',
          pattern: '^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$',
          description: 'An action id, e.g. `azure_ad.disable_user` (see GET /api/v1/actions).',
        },
        with: { type: 'object', description: "The action's input; values may be expressions." },
        connection: { ...slug, description: "The connection target of this step, instead of the playbook's." },
        parallel: {
          type: 'object',
          required: ['branches'],
          additionalProperties: false,
          properties: {
            join: {
              enum: ['all', 'any'],
              default: 'all',
              description:
                '`all`: wait for every branch; `any`: go on when the first succeeds (the others are cancelled).',
            },
            branches: {
              type: 'array',
              minItems: 2,
              items: {
                type: 'object',
                required: ['steps'],
                additionalProperties: false,
                properties: { name: { type: 'string' }, steps: { $ref: '#/$defs/steps' } },
              },
            },
          },
        },
        branch: {
          type: 'object',
          required: ['cases'],
          additionalProperties: false,
          properties: {
            cases: {
              type: 'array',
              minItems: 1,
              items: {
                type: 'object',
                required: ['when', 'steps'],
                additionalProperties: false,
                properties: { when: expression, steps: { $ref: '#/$defs/steps' } },
              },
            },
            otherwise: { $ref: '#/$defs/steps' },
          },
        },
        forEach: {
          type: 'object',
          required: ['items', 'steps'],
          additionalProperties: false,
          properties: {
            items: {
              ...expression,
              description: 'A list; the steps run once per item, which they read as `item` (and `index`).',
            },
            concurrency: { type: 'integer', minimum: 1, maximum: 100, default: 5 },
            steps: { $ref: '#/$defs/steps' },
          },
        },
        approval: {
          type: 'object',
          required: ['prompt'],
          additionalProperties: false,
          properties: {
            prompt: { type: 'string', minLength: 1, maxLength: 2000 },
            approvers: {
              ...stringList,
              description:
                'Roles (analyst, author, admin) or API keys (`key:<name>`) that may decide. Default: analyst.',
            },
            timeout: duration,
            onTimeout: { enum: ['approve', 'reject'], default: 'reject' },
            onReject: onError,
            channel: {
              type: 'string',
              pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
              description:
                'A notification channel: approvers are told there, with a link to decide, and reminded before the timeout.',
            },
          },
        },
        wait: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          properties: { duration, until: { ...expression, description: 'An ISO 8601 time.' } },
        },
        call: {
          type: 'object',
          required: ['playbook'],
          additionalProperties: false,
          properties: { playbook: slug, inputs: { type: 'object' }, connection: slug },
        },
        succeed: { type: 'object', additionalProperties: false, properties: { message: { type: 'string' } } },
        fail: {
          type: 'object',
          required: ['message'],
          additionalProperties: false,
          properties: {
            message: { type: 'string', minLength: 1 },
            code: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' },
          },
        },
      },
    },
  },
} as const;
