export { CHANNEL_KINDS, CreateChannelSchema, type ChannelKind, type CreateChannel } from './channel.schemas.js';
export {
  NotificationChannelsService,
  type ChannelView,
  type ResolvedChannel,
} from './notification-channels.service.js';
export {
  Notifier,
  NotificationError,
  adaptiveCard,
  slackBlocks,
  type Notification,
  type NotificationReceipt,
} from './notifier.js';
export { refuseOutboundUrl, OUTBOUND_MAX_BYTES, OUTBOUND_TIMEOUT_MS } from './outbound.js';
export { NotificationsModule } from './notifications.module.js';
export { ApprovalNotifications } from './approval-notifications.js';
