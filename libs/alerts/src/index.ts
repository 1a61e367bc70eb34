export type { NormalizedAlert, AlertUser, AlertDevice } from './normalized-alert.js';
export { normalizeAlerts } from './alert-normalizer.js';
export { alertMatches, triggerInputs } from './trigger-matcher.js';
export { AlertsService, type AlertOrigin, type IngestResult, type IngestedAlert } from './alerts.service.js';
export { ConnectorsService, FEEDS, type Feed, type ConnectorView } from './connectors.service.js';
export { WebhookVerifier, signWebhook, REPLAY_WINDOW_MS } from './webhook-signature.js';
export { WebhookReplays } from './webhook-replays.js';
export { AlertsModule } from './alerts.module.js';
