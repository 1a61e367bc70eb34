import Type, { type Static } from 'typebox';
import type { ActionDefinition, RequiredRole } from '../action-definition.js';

const HUNT: RequiredRole = { resource: 'graph', role: 'ThreatHunting.Read.All' };

const HuntingInput = Type.Object(
  {
    query: Type.String({
      minLength: 1,
      maxLength: 10_000,
      description: 'A KQL query over the advanced hunting tables (UrlClickEvents, EmailEvents, DeviceFileEvents, …).',
    }),
    timespan: Type.Optional(
      Type.String({
        pattern: '^P(?!$)([0-9]+D)?(T([0-9]+H)?([0-9]+M)?)?$',
        description: "ISO 8601 duration the query looks back over (e.g. P7D); Microsoft's default is 30 days.",
      }),
    ),
    maxRows: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10_000,
        default: 1000,
        description: 'Rows kept in the step output; the rest are counted, not stored.',
      }),
    ),
  },
  { additionalProperties: false },
);
type HuntingInput = Static<typeof HuntingInput>;

export interface HuntingOutput {
  schema: { name: string; type: string }[];
  results: Record<string, unknown>[];
  rowCount: number;
  truncated: boolean;
}

/** `POST /security/runHuntingQuery`: a read, sent as a POST; its rows go to the playbook (`steps.<id>.output.results`). */
export const runHuntingQuery: ActionDefinition<HuntingInput, HuntingOutput> = {
  id: 'graph_security.run_hunting_query',
  title: 'Run an advanced hunting query (Microsoft 365 Defender)',
  description:
    "Runs a KQL query over Microsoft 365 Defender's advanced hunting data (POST /security/runHuntingQuery) and returns its rows, e.g. who clicked a URL. Microsoft limits queries to 100,000 rows and about 10 minutes of CPU per 15 minutes per tenant.",
  inputSchema: HuntingInput,
  requiredRoles: [HUNT],
  inverse: null,
  destructive: false,
  ledger: false,
  entity: () => 'hunting',
  async plan(input, { graph, target }) {
    return [graph.describe(target, request(input))];
  },
  async execute(input, { graph, target, signal }) {
    const reply = await graph.send<{ schema?: HuntingOutput['schema']; results?: Record<string, unknown>[] }>(
      target,
      request(input),
      signal,
    );
    const results = reply.data?.results ?? [];
    const max = input.maxRows ?? 1000;
    return {
      schema: reply.data?.schema ?? [],
      results: results.slice(0, max),
      rowCount: results.length,
      truncated: results.length > max,
    };
  },
};

function request(input: HuntingInput) {
  return {
    method: 'POST' as const,
    path: '/security/runHuntingQuery',
    body: { Query: input.query, ...(input.timespan ? { Timespan: input.timespan } : {}) },
    idempotent: true,
    what: 'the hunting query',
  };
}
