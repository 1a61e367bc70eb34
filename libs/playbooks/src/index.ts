export * from './definition.js';
export type { ActionLookup } from './action-lookup.js';
export { PLAYBOOK_SCHEMA, PLAYBOOK_SCHEMA_ID } from './playbook.schema.js';
export { compileExpression, ExpressionError, toInertData, type CompiledExpression } from './expressions/expression.js';
export { compileValue, resolveValue, isExpression, type CompiledValue } from './expressions/template.js';
export {
  loadPlaybook,
  checkPlaybook,
  loadedPlaybook,
  restorePlaybook,
  compileInSteps,
  formatErrors,
  type CheckedPlaybook,
  type CheckResult,
  type StepSummary,
  type LoadedPlaybook,
  type LoadResult,
} from './loader/playbook-loader.js';
export { PlaybookPool, actionManifest, type PlaybookPoolOptions } from './worker/playbook-pool.js';
export type { ActionManifest } from './worker/messages.js';
export { rehearseText, type TextRehearsal } from './rehearsal/rehearse-text.js';
export type { PlaybookError } from './loader/problem.js';
export { fitsType } from './loader/semantic-checks.js';
export { checkRunInputs } from './loader/run-inputs.js';
export type { IndexedStep, PlaybookIndex } from './loader/step-index.js';
export { compilePlaybook, type CompiledPlaybook } from './compiler/compile.js';
export {
  type RunContext,
  type StepState,
  type StepStatus,
  type RiposteEvent,
  type WorkResult,
  StepFailure,
  expressionData,
} from './compiler/run-context.js';
export { stateId } from './compiler/machine-config.js';
export { createStepWork } from './runtime/step-actors.js';
export { attachWork, type StepWork } from './compiler/playbook-machine.js';
export type { RunHost, ActionCall, LoopStepRecord, RetryWait } from './runtime/run-host.js';
export { untilIdle, evaluateOutputs, type Idle } from './runtime/until-idle.js';
export { toMermaid } from './graph/mermaid.js';
export {
  rehearse,
  parseRehearsalFile,
  RehearsalFileSchema,
  type RehearsalCase,
  type RehearsalFile,
  type RehearsalResult,
} from './rehearsal/rehearsal.js';
export { titleMatcher } from './expressions/linear-regex.js';
