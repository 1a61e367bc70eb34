import type { ServiceErrors, AuthedContext, RouteDef } from './router.js';
import { json } from './router.js';
import type { FakeResponse } from './types.js';

/** The Logs Ingestion API's error envelope. */
export function monitorError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): FakeResponse {
  return json(status, { error: { code, message } }, headers);
}

export const monitorErrors: Required<Pick<ServiceErrors, 'unauthorized' | 'forbidden'>> & ServiceErrors = {
  notFound: () => monitorError(404, 'NotFound', 'The requested resource was not found.'),
  methodNotAllowed: () => monitorError(405, 'MethodNotAllowed', 'The method is not allowed.'),
  internal: () => monitorError(500, 'InternalServerError', 'An internal server error occurred.'),
  unauthorized: () =>
    monitorError(
      401,
      'InvalidToken',
      'The authentication token provided is not valid for this endpoint (audience https://monitor.azure.com).',
    ),
  forbidden: () =>
    monitorError(403, 'OperationFailed', 'The authentication token provided does not have access to ingest data.'),
};

export interface DataCollectionRuleInput {
  /** `dcr-` and 32 hex digits. */
  immutableId: string;
  /** Stream names declared by the rule, e.g. `Custom-RiposteEvents`. */
  streams: string[];
  /** App (client) ids that hold Monitoring Metrics Publisher on the rule. */
  publishers: string[];
}

export interface IngestedRecord {
  dcr: string;
  stream: string;
  record: Record<string, unknown>;
}

const MAX_BYTES = 1024 * 1024;

/** Data collection rules and what was ingested through them. */
export class LogsIngestion {
  private readonly rules = new Map<string, DataCollectionRuleInput>();
  readonly records: IngestedRecord[] = [];

  addRule(input: DataCollectionRuleInput): void {
    this.rules.set(input.immutableId.toLowerCase(), {
      ...input,
      publishers: input.publishers.map((p) => p.toLowerCase()),
    });
  }

  clear(): void {
    this.rules.clear();
    this.records.length = 0;
  }

  routes(): RouteDef<AuthedContext>[] {
    return [
      {
        method: 'POST',
        pattern: 'dataCollectionRules/:dcr/streams/:stream',
        handler: ({ req, params, token }) => {
          if (req.query.get('api-version') !== '2023-01-01')
            return monitorError(
              400,
              'InvalidApiVersion',
              `The api-version '${req.query.get('api-version') ?? ''}' is not supported; use 2023-01-01.`,
            );
          const dcr = params.dcr as string;
          const stream = params.stream as string;
          const rule = this.rules.get(dcr.toLowerCase());
          if (!rule) return monitorError(404, 'NotFound', `Data collection rule with immutable Id '${dcr}' not found.`);
          if (!rule.publishers.includes(token.appid.toLowerCase())) {
            return monitorError(
              403,
              'OperationFailed',
              `The authentication token provided does not have access to ingest data for the data collection rule with immutable Id '${dcr}'.`,
            );
          }
          if (!rule.streams.includes(stream))
            return monitorError(
              404,
              'InvalidStream',
              `Stream '${stream}' is not declared by data collection rule '${dcr}'.`,
            );
          if (Buffer.byteLength(req.body) > MAX_BYTES)
            return monitorError(413, 'ContentLengthLimitExceeded', 'The request is larger than 1 MB.');
          let body: unknown;
          try {
            body = JSON.parse(req.body);
          } catch {
            return monitorError(400, 'InvalidPayload', 'The request body is not valid JSON.');
          }
          if (!Array.isArray(body) || body.some((r) => typeof r !== 'object' || r === null || Array.isArray(r)))
            return monitorError(400, 'InvalidPayload', 'The request body must be a JSON array of objects.');
          for (const record of body as Record<string, unknown>[])
            this.records.push({ dcr: rule.immutableId, stream, record });
          return { status: 204 };
        },
      },
    ];
  }
}
