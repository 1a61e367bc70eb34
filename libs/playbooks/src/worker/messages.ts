import type { CheckResult } from '../loader/playbook-loader.js';
import type { TextRehearsal } from '../rehearsal/rehearse-text.js';

/** What the action catalogue tells the checks, as data a worker is started with. */
export type ActionManifest = Record<string, { inputSchema: object; destructive: boolean }>;

/** A job for the worker, and what it answers for each kind. */
export type PlaybookTask =
  { kind: 'check'; text: string; file: string } | { kind: 'rehearse'; playbook: string; rehearsal: string };

export interface TaskAnswers {
  check: CheckResult;
  rehearse: TextRehearsal;
}

export type WorkerReply =
  { ready: true } | { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };
