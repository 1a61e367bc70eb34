import { API_ERROR_CODES } from './api-error-codes.js';
import { STEP_ERROR_CODES } from './step-error-codes.js';

/**
 * Every error code Riposte gives, in one table: HTTP problems (`code` of a problem+json answer,
 * api-error-codes.ts) and step or run failures (step-error-codes.ts) (`error.code` of a step, which playbooks branch on with `onError` and
 * retry with `retry.on`). docs/API.md lists this table (generated; `npm test` checks it).
 *
 * `where`: `http` for an answer of the API, `step` for a failed step or run, `both` for both.
 * `retried`: whether a playbook step retries it when its `retry.on` is not given (the default
 * list), so that an author knows what `retry: { attempts: 3 }` does out of the box.
 */
export interface ErrorCodeInfo {
  where: 'http' | 'step' | 'both';
  /** The HTTP status of the problem answer, for codes the API gives. */
  status?: number;
  retried: boolean;
  meaning: string;
}

export const ERROR_CODES = { ...API_ERROR_CODES, ...STEP_ERROR_CODES } as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes a step retries when its `retry.on` is not given. */
export const DEFAULT_RETRY_ON: readonly ErrorCode[] = (Object.keys(ERROR_CODES) as ErrorCode[]).filter(
  (code) => ERROR_CODES[code].retried,
);
