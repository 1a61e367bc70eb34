/**
 * A playbook as authors write it (after YAML parsing and schema validation). The JSON Schema in
 * playbook.schema.ts describes the same shape for editors; the compiler turns it into a machine.
 */
export interface PlaybookDefinition {
  id: string;
  name: string;
  description?: string;
  enabled: boolean;
  /** The default connection target of action steps. */
  connection?: string;
  inputs: Record<string, InputDefinition>;
  triggers: TriggerDefinition[];
  steps: StepDefinition[];
  outputs: Record<string, unknown>;
}

export type InputType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

export interface InputDefinition {
  type: InputType;
  description?: string;
  /** Required unless a default is given. */
  required?: boolean;
  default?: unknown;
  enum?: unknown[];
  items?: { type: InputType };
}

/** When an incoming alert starts this playbook (the alerts library evaluates it). */
export interface TriggerDefinition {
  alert: AlertMatcher;
  /** Run inputs computed from the alert. */
  inputs?: Record<string, unknown>;
  /** Fire on updates of an alert already seen, not only on new alerts. */
  onUpdate?: boolean;
  /** The same entity within this window starts one run. */
  throttle?: { key: string; window: string };
}

export type StringMatch = string | string[] | { glob: string } | { regex: string };

export interface AlertMatcher {
  severity?: string[];
  status?: string[];
  serviceSource?: string[];
  detectionSource?: string[];
  category?: string[];
  title?: StringMatch;
  evidence?: string[];
  /** Any expression over `alert` that must be true. */
  when?: string;
}

export type OnError = 'fail' | 'continue' | { goto: string };

export interface RetryPolicy {
  attempts: number;
  /** Wait before the second attempt; doubles each time (factor) up to maxBackoff. */
  backoff?: string;
  factor?: number;
  maxBackoff?: string;
  /** Only these error codes are retried (default: throttled, service_unavailable, timeout, network_error). */
  on?: string[];
}

interface StepBase {
  id: string;
  name?: string;
  if?: string | boolean;
  timeout?: string;
  retry?: RetryPolicy;
  onError?: OnError;
}

export interface ActionStep extends StepBase {
  action: string;
  with?: Record<string, unknown>;
  connection?: string;
}

export interface ParallelStep extends StepBase {
  parallel: { join?: 'all' | 'any'; branches: { name?: string; steps: StepDefinition[] }[] };
}

export interface BranchStep extends StepBase {
  branch: { cases: { when: string; steps: StepDefinition[] }[]; otherwise?: StepDefinition[] };
}

export interface ForEachStep extends StepBase {
  forEach: { items: string; concurrency?: number; steps: StepDefinition[] };
}

export interface ApprovalStep extends StepBase {
  approval: {
    prompt: string;
    /** Roles (viewer, analyst, author, admin) or API key names (`key:soc-lead`) that may decide. */
    approvers?: string[];
    timeout?: string;
    onTimeout?: 'approve' | 'reject';
    onReject?: OnError;
    /** A notification channel approvers are told on, and reminded on before the timeout. */
    channel?: string;
  };
}

export interface WaitStep extends StepBase {
  wait: { duration?: string; until?: string };
}

export interface CallStep extends StepBase {
  call: { playbook: string; inputs?: Record<string, unknown>; connection?: string };
}

export interface SucceedStep extends StepBase {
  succeed: { message?: string };
}

export interface FailStep extends StepBase {
  fail: { message: string; code?: string };
}

export type StepDefinition =
  ActionStep | ParallelStep | BranchStep | ForEachStep | ApprovalStep | WaitStep | CallStep | SucceedStep | FailStep;

export const STEP_KINDS = [
  'action',
  'parallel',
  'branch',
  'forEach',
  'approval',
  'wait',
  'call',
  'succeed',
  'fail',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export function stepKind(step: StepDefinition): StepKind {
  for (const kind of STEP_KINDS) if (kind in step) return kind;
  throw new Error(`Step ${step.id} has no kind.`);
}

/** The nested step lists of a step, with the JSON path segments that lead to them. */
export function childSequences(step: StepDefinition): { path: (string | number)[]; steps: StepDefinition[] }[] {
  if ('parallel' in step)
    return step.parallel.branches.map((b, i) => ({ path: ['parallel', 'branches', i, 'steps'], steps: b.steps }));
  if ('branch' in step) {
    const cases = step.branch.cases.map((c, i) => ({ path: ['branch', 'cases', i, 'steps'], steps: c.steps }));
    return step.branch.otherwise ? [...cases, { path: ['branch', 'otherwise'], steps: step.branch.otherwise }] : cases;
  }
  if ('forEach' in step) return [{ path: ['forEach', 'steps'], steps: step.forEach.steps }];
  return [];
}

/** Every step, depth first, with its JSON pointer path in the document. */
export function walkSteps(
  steps: StepDefinition[],
  base: (string | number)[] = ['steps'],
): { step: StepDefinition; path: (string | number)[]; parentSequence: StepDefinition[] }[] {
  const out: { step: StepDefinition; path: (string | number)[]; parentSequence: StepDefinition[] }[] = [];
  steps.forEach((step, i) => {
    const path = [...base, i];
    out.push({ step, path, parentSequence: steps });
    for (const child of childSequences(step)) out.push(...walkSteps(child.steps, [...path, ...child.path]));
  });
  return out;
}
