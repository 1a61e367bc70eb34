export { Redactor, redactor, REDACTED } from './redactor.js';
export { Metrics } from './metrics.js';
export { createLogging, requestIdFor } from './logger-options.js';
export { ObservabilityModule } from './observability.module.js';
