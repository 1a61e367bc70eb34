import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateChannelSchema, NotificationChannelsService, Notifier, type CreateChannel } from '@riposte/notifications';
import { SchemaBody } from '../http/schema-params.js';
import { Audited, RequireRole } from '../http/route-metadata.js';

@ApiTags('notification channels')
@Controller('api/v1/notification-channels')
export class NotificationChannelsController {
  constructor(
    private readonly channels: NotificationChannelsService,
    private readonly notifier: Notifier,
  ) {}

  @Post()
  @RequireRole('admin')
  @Audited('notification_channel.create')
  create(@SchemaBody(CreateChannelSchema) body: CreateChannel) {
    return this.channels.create(body);
  }

  @Get()
  @RequireRole('viewer')
  async list() {
    return { items: await this.channels.list(), nextCursor: null };
  }

  @Get(':name')
  @RequireRole('viewer')
  get(@Param('name') name: string) {
    return this.channels.get(name);
  }

  @Delete(':name')
  @HttpCode(204)
  @RequireRole('admin')
  @Audited('notification_channel.delete')
  async delete(@Param('name') name: string): Promise<void> {
    await this.channels.delete(name);
  }

  /** Sends a test message, so an admin sees the channel work before a playbook relies on it. */
  @Post(':name/test')
  @HttpCode(200)
  @RequireRole('admin')
  @Audited('notification_channel.test')
  test(@Param('name') name: string) {
    return this.notifier.send(name, {
      title: 'Riposte test notification',
      text: `The channel '${name}' works: Riposte can reach it.`,
    });
  }
}
