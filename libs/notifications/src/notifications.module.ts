import { Global, Module } from '@nestjs/common';
import { NotificationChannelsService } from './notification-channels.service.js';
import { Notifier } from './notifier.js';

@Global()
@Module({ providers: [NotificationChannelsService, Notifier], exports: [NotificationChannelsService, Notifier] })
export class NotificationsModule {}
