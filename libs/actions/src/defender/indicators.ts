import Type, { type Static } from 'typebox';
import { AzureError } from '@riposte/azure';
import type { ActionContext, ActionDefinition, RequiredRole } from '../action-definition.js';

const WRITE_INDICATORS: RequiredRole = {
  resource: 'defender',
  role: 'Ti.ReadWrite.All',
  satisfiedBy: ['Ti.ReadWrite'],
};

// One schema per kind of value, so a bad hash or address is refused with the field named. No `default`s:
// Ajv cannot apply them inside a union; the code fills them in.
const common = {
  title: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'Shown in Defender; default "Blocked by Riposte".' }),
  ),
  description: Type.Optional(
    Type.String({ minLength: 1, maxLength: 700, description: 'Why (an alert id, a ticket).' }),
  ),
  severity: Type.Optional(Type.Enum(['Informational', 'Low', 'Medium', 'High'], { description: 'Default High.' })),
  action: Type.Optional(
    Type.Enum(['Block', 'AlertAndBlock', 'BlockAndRemediate', 'Warn', 'Audit', 'Alert'], {
      description: 'Default: BlockAndRemediate for files, Block otherwise.',
    }),
  ),
  expiresInDays: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 365,
      description: 'The indicator stops applying after this many days (default 30).',
    }),
  ),
  generateAlert: Type.Optional(Type.Boolean({ description: 'Raise an alert when it matches (default true).' })),
};
const kind = (type: string, value: Record<string, unknown>) =>
  Type.Object({ type: Type.Literal(type), value: Type.String(value), ...common }, { additionalProperties: false });
const CreateIndicatorInput = Type.Union([
  kind('FileSha256', { pattern: '^[0-9a-fA-F]{64}$' }),
  kind('FileSha1', { pattern: '^[0-9a-fA-F]{40}$' }),
  kind('FileMd5', { pattern: '^[0-9a-fA-F]{32}$' }),
  kind('IpAddress', {
    pattern:
      '^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}|[0-9a-fA-F]{0,4}(:[0-9a-fA-F]{0,4}){2,7})$',
    maxLength: 45,
    description: 'An IPv4 or IPv6 address.',
  }),
  kind('DomainName', { format: 'hostname', maxLength: 253 }),
  kind('Url', { format: 'uri', pattern: '^https?://', maxLength: 2048 }),
]);
type CreateIndicatorInput = Static<typeof CreateIndicatorInput>;

export interface IndicatorOutput {
  indicatorId: string;
  type: string;
  value: string;
  action: string;
  expirationTime: string;
}

interface Indicator {
  id: string | number;
  indicatorValue: string;
  indicatorType: string;
  action: string;
  description?: string;
  expirationTime?: string | null;
}

const isFile = (type: string) => type.startsWith('File');
const normalize = (input: CreateIndicatorInput) =>
  isFile(input.type) || input.type === 'DomainName' ? input.value.toLowerCase() : input.value;

function submission(input: CreateIndicatorInput, marker: string, now: number) {
  return {
    indicatorValue: normalize(input),
    indicatorType: input.type,
    action: input.action ?? (isFile(input.type) ? 'BlockAndRemediate' : 'Block'),
    title: input.title ?? 'Blocked by Riposte',
    // The marker lets reconciliation find this very submission after a crash.
    description: `${input.description ?? 'Created by Riposte'} [${marker}]`,
    severity: input.severity ?? 'High',
    expirationTime: new Date(now + (input.expiresInDays ?? 30) * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    generateAlert: input.generateAlert ?? true,
  };
}

async function findIndicators(context: ActionContext, filter: string): Promise<Indicator[]> {
  const reply = await context.defender.send<{ value?: Indicator[] }>(
    context.target,
    { method: 'GET', path: `/indicators?$filter=${encodeURIComponent(filter)}`, idempotent: true, api: 'indicators' },
    context.signal,
  );
  return reply.data?.value ?? [];
}

const view = (i: Indicator): IndicatorOutput => ({
  indicatorId: String(i.id),
  type: i.indicatorType,
  value: i.indicatorValue,
  action: i.action,
  expirationTime: i.expirationTime ?? '',
});

/**
 * `POST /api/indicators` (submit or update: the same value and type is updated in place). After a
 * crash, the indicator with this value whose description carries the step's marker is ours.
 */
export const createIndicator: ActionDefinition<CreateIndicatorInput, IndicatorOutput> = {
  id: 'defender.create_indicator',
  title: 'Block a file hash, IP address, domain or URL (Defender indicator)',
  description:
    'Creates (or updates) a Defender for Endpoint custom indicator (POST /api/indicators) that blocks the value on every onboarded machine until it expires (default 30 days).',
  inputSchema: CreateIndicatorInput,
  requiredRoles: [WRITE_INDICATORS],
  inverse: 'defender.delete_indicator',
  destructive: true,
  ledger: true,
  entity: (input) => `indicator:${input.type}:${normalize(input)}`,
  async plan(input, { defender, target, marker }) {
    return [
      defender.describe(target, {
        method: 'POST',
        path: '/indicators',
        body: submission(input, marker, Date.now()),
        idempotent: false,
        api: 'indicators',
      }),
    ];
  },
  async execute(input, context) {
    const reply = await context.defender.send<Indicator>(
      context.target,
      {
        method: 'POST',
        path: '/indicators',
        body: submission(input, context.marker, Date.now()),
        idempotent: false,
        api: 'indicators',
      },
      context.signal,
    );
    return view(reply.data);
  },
  async reconcile(input, context) {
    const found = (await findIndicators(context, `indicatorValue eq '${normalize(input).replace(/'/g, "''")}'`)).find(
      (i) => i.indicatorType === input.type && i.description?.includes(context.marker),
    );
    return found ? { state: 'applied', output: view(found) } : { state: 'not_applied' };
  },
  inverseInput: (_input, output) => ({ indicatorId: output.indicatorId }),
};

const DeleteIndicatorInput = Type.Object(
  {
    indicatorId: Type.String({
      pattern: '^[0-9]{1,20}$',
      description: 'The indicator id, as create_indicator returns it.',
    }),
  },
  { additionalProperties: false },
);
type DeleteIndicatorInput = Static<typeof DeleteIndicatorInput>;

export const deleteIndicator: ActionDefinition<DeleteIndicatorInput, { indicatorId: string; deleted: boolean }> = {
  id: 'defender.delete_indicator',
  title: 'Delete a Defender indicator',
  description:
    'Deletes a custom indicator (DELETE /api/indicators/{id}): the value is no longer blocked. Already gone: succeeds with deleted false.',
  inputSchema: DeleteIndicatorInput,
  requiredRoles: [WRITE_INDICATORS],
  inverse: null,
  destructive: true,
  ledger: true,
  entity: (input) => `indicator:${input.indicatorId}`,
  async plan(input, { defender, target }) {
    return [
      defender.describe(target, {
        method: 'DELETE',
        path: `/indicators/${input.indicatorId}`,
        idempotent: true,
        api: 'indicators',
      }),
    ];
  },
  async execute(input, { defender, target, signal }) {
    try {
      await defender.send(
        target,
        {
          method: 'DELETE',
          path: `/indicators/${input.indicatorId}`,
          idempotent: true,
          api: 'indicators',
          notFound: 'indicator_not_found',
          what: `indicator ${input.indicatorId}`,
        },
        signal,
      );
      return { indicatorId: input.indicatorId, deleted: true };
    } catch (error) {
      if (error instanceof AzureError && error.code === 'indicator_not_found')
        return { indicatorId: input.indicatorId, deleted: false };
      throw error;
    }
  },
  async reconcile(input, context) {
    const left = await findIndicators(context, `id eq ${input.indicatorId}`);
    return left.length === 0
      ? { state: 'applied', output: { indicatorId: input.indicatorId, deleted: true } }
      : { state: 'not_applied' };
  },
};
