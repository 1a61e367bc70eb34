export { LiveFeed, type LiveEvent, type LiveSubscriber } from './live-feed.js';
export { ChangeHistory, type ChangeQuery, type ChangeView } from './change-history.js';
export { LiveModule } from './live.module.js';
