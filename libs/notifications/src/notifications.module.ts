import { Global, Module } from '@nestjs/common';
import { ApprovalNotifications } from './approval-notifications.js';
import { NotificationChannelsService } from './notification-channels.service.js';
import { Notifier } from './notifier.js';

@Global()
@Module({
  providers: [NotificationChannelsService, Notifier, ApprovalNotifications],
  exports: [NotificationChannelsService, Notifier],
})
export class NotificationsModule {}
